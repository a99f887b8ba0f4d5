// HEADERS names and the header-name variables (AUTHORIZATION_HEADER, ID_TOKEN_HEADER) follow
// one definition of a header name (an RFC 9110 token, src/config/declare.ts).
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { baseEnv } from '../../fixtures/env.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ...baseEnv, ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const VALID = ['X-Api-Token', "x!#$%&'*+.^_`|~9", 'X-Forwarded-Access-Token'];
const INVALID = ['X Token', 'X-Token:', 'X-Tøken', 'X-Token\r\nInjected: 1', '(X-Token)', 'X/Token', 'X-"Token"'];

describe('one header-name rule for HEADERS and the header-name variables', () => {
  it.each(VALID)('accepts %j as a HEADERS name, AUTHORIZATION_HEADER and ID_TOKEN_HEADER', (name) => {
    expect(problemsOf({ HEADERS: JSON.stringify([{ name, value: '{{ .claims.sub }}' }]) })).toEqual([]);
    expect(problemsOf({ AUTHORIZATION_HEADER: name })).toEqual([]);
    expect(problemsOf({ ID_TOKEN_HEADER: name })).toEqual([]);
  });

  it.each(INVALID)('refuses %j in each of them, naming the variable', (name) => {
    expect(problemsOf({ HEADERS: JSON.stringify([{ name, value: '{{ .claims.sub }}' }]) })).toContain(
      'HEADERS[0].name must be a header name',
    );
    for (const variable of ['AUTHORIZATION_HEADER', 'ID_TOKEN_HEADER']) {
      expect(problemsOf({ [variable]: name })).toContain(`${variable} is not a valid header name (got "${name}")`);
    }
  });
});
