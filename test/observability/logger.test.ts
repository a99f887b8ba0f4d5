import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logger.js';

/** Logs one object at info and returns the JSON line written. */
function logged(object: Record<string, unknown>): { text: string; line: Record<string, unknown> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  createLogger('info', sink).info(object, 'probe');
  const text = lines.join('');
  return { text, line: JSON.parse(text) as Record<string, unknown> };
}

const SECRETS = {
  cookie: 'cookie-value-0001',
  code: 'authorization-code-0002',
  state: 'state-value-0003',
  nonce: 'nonce-value-0004',
  idToken: 'id-token-0005',
  accessToken: 'access-token-0006',
  refreshToken: 'refresh-token-0007',
  id_token: 'id-token-0008',
  access_token: 'access-token-0009',
  refresh_token: 'refresh-token-0010',
  clientSecret: 'client-secret-0011',
  sessionSecret: 'session-secret-0012',
  password: 'password-0013',
  authorization: 'Bearer authz-0014',
};

describe('the logger', () => {
  it.each(Object.entries(SECRETS))('never writes a value logged under %s', (name, value) => {
    const { text, line } = logged({ [name]: value, kept: 'visible' });
    expect(text).not.toContain(value);
    expect(line[name]).toBe('[redacted]');
    expect(line.kept).toBe('visible');
  });

  it('redacts request headers and tokens one level down', () => {
    const { text } = logged({
      headers: { cookie: 'hdr-cookie-0101', authorization: 'Bearer hdr-0102', accept: 'text/html' },
      session: {
        idToken: 'nested-id-0103',
        accessToken: 'nested-access-0104',
        refreshToken: 'nested-refresh-0105',
        cookie: 'nested-cookie-0106',
      },
      checks: { code_verifier: 'verifier-0107' },
      config: { clientSecret: 'nested-client-0108', sessionSecret: 'nested-session-0109' },
    });
    for (const value of [
      'hdr-cookie-0101',
      'hdr-0102',
      'nested-id-0103',
      'nested-access-0104',
      'nested-refresh-0105',
      'nested-cookie-0106',
      'verifier-0107',
      'nested-client-0108',
      'nested-session-0109',
    ]) {
      expect(text).not.toContain(value);
    }
    expect(text).toContain('text/html');
  });

  it('writes the service’s own error codes under code, and nothing else there', () => {
    expect(logged({ code: 'LOGIN_EXPIRED' }).line.code).toBe('LOGIN_EXPIRED');
    expect(logged({ code: 'login_expired' }).line.code).toBe('[redacted]');
  });
});
