import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { baseEnv } from '../fixtures/env.js';

const { SESSION_SECRET: current = '', ...withoutSecret } = baseEnv;
const previous = 'fedcba9876543210fedcba9876543210';

function problemsOf(env: Record<string, string | undefined>, readFile?: (p: string) => string): readonly string[] {
  try {
    loadConfig(env, readFile ? { readFile } : {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig: SESSION_SECRET and SESSION_SECRETS', () => {
  it('gives one secret as a list of one', () => {
    const c = loadConfig(baseEnv);
    expect(c.sessionSecret).toBe(current);
    expect(c.sessionSecrets).toEqual([current]);
    expect(Object.isFrozen(c.sessionSecrets)).toBe(true);
  });

  it.each([
    `${current},${previous}`,
    ` ${current} , ${previous} `,
    `${current}\n${previous}\n`,
    `${current} ${previous}`,
  ])('reads SESSION_SECRETS separated by commas or white space, newest first: %j', (list) => {
    const c = loadConfig({ ...withoutSecret, SESSION_SECRETS: list });
    expect(c.sessionSecrets).toEqual([current, previous]);
    expect(c.sessionSecret).toBe(current);
  });

  it('reads SESSION_SECRETS_FILE, a mounted secret with one secret per line', () => {
    const c = loadConfig(
      { ...withoutSecret, SESSION_SECRETS_FILE: '/run/secrets/ss' },
      { readFile: (p) => (p === '/run/secrets/ss' ? `${current}\n${previous}\n` : '') },
    );
    expect(c.sessionSecrets).toEqual([current, previous]);
  });

  it('refuses SESSION_SECRET and SESSION_SECRETS together, naming both', () => {
    expect(problemsOf({ ...baseEnv, SESSION_SECRETS: `${current},${previous}` })).toEqual([
      expect.stringMatching(/^SESSION_SECRET and SESSION_SECRETS are both set.*set only one/),
    ]);
    expect(problemsOf({ ...baseEnv, SESSION_SECRETS_FILE: '/s' }, () => previous).join()).toMatch(
      /SESSION_SECRET and SESSION_SECRETS are both set/,
    );
  });

  it('refuses SESSION_SECRETS together with SESSION_SECRETS_FILE', () => {
    expect(
      problemsOf({ ...withoutSecret, SESSION_SECRETS: current, SESSION_SECRETS_FILE: '/s' }, () => previous).join(),
    ).toMatch(/SESSION_SECRETS and SESSION_SECRETS_FILE are both set/);
  });

  it('requires one of them', () => {
    expect(problemsOf(withoutSecret)).toEqual([
      expect.stringMatching(/^SESSION_SECRET is required: .*SESSION_SECRETS/),
    ]);
  });

  it('checks every entry like SESSION_SECRET, naming its index', () => {
    const problems = problemsOf({ ...withoutSecret, SESSION_SECRETS: `${current},short,${'x'.repeat(33)}` });
    expect(problems).toEqual([
      expect.stringMatching(/^SESSION_SECRETS\[1\] must be exactly 32 characters \(got 5\)/),
      expect.stringMatching(/^SESSION_SECRETS\[2\] must be exactly 32 characters \(got 33\)/),
    ]);
  });

  it('refuses a list that repeats a secret, or lists none', () => {
    expect(problemsOf({ ...withoutSecret, SESSION_SECRETS: `${current},${previous},${current}` })).toEqual([
      'SESSION_SECRETS[2] repeats SESSION_SECRETS[0]',
    ]);
    expect(problemsOf({ ...withoutSecret, SESSION_SECRETS: ' , ,' })).toEqual([
      expect.stringMatching(/^SESSION_SECRETS lists no secret/),
    ]);
  });

  it('refuses more than 10 secrets', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => String(i).padStart(32, 'a')).join(',');
    expect(problemsOf({ ...withoutSecret, SESSION_SECRETS: eleven })).toEqual([
      expect.stringMatching(/^SESSION_SECRETS lists 11 secrets, at most 10/),
    ]);
    expect(
      loadConfig({ ...withoutSecret, SESSION_SECRETS: eleven.split(',').slice(1).join(',') }).sessionSecrets,
    ).toHaveLength(10);
  });
});
