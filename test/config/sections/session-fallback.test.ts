import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { effectiveConfig } from '../../../src/config/effective-config.js';
import { baseEnv } from '../../fixtures/env.js';

const REDIS = { SESSION_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' };

function problemsOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
}

describe('SESSION_FALLBACK', () => {
  it('defaults to none, 900 s and no restore', () => {
    const c = loadConfig({ ...baseEnv, ...REDIS });
    expect(c.sessionFallback).toBe('none');
    expect(c.sessionFallbackMaxAge).toBe(900);
    expect(c.sessionFallbackRestore).toBe(false);
  });

  it('accepts cookie with the redis store, a max age and restore', () => {
    const c = loadConfig({
      ...baseEnv,
      ...REDIS,
      SESSION_FALLBACK: 'cookie',
      SESSION_FALLBACK_MAX_AGE: '300',
      SESSION_FALLBACK_RESTORE: 'true',
    });
    expect([c.sessionFallback, c.sessionFallbackMaxAge, c.sessionFallbackRestore]).toEqual(['cookie', 300, true]);
    const shown = effectiveConfig(c);
    expect(shown).toMatchObject({
      SESSION_FALLBACK: 'cookie',
      SESSION_FALLBACK_MAX_AGE: 300,
      SESSION_FALLBACK_RESTORE: true,
    });
  });

  it.each(['cookie', 'memory'])(
    'refuses SESSION_FALLBACK=cookie with SESSION_STORE=%s, naming the variable',
    (store) => {
      const problems = problemsOf({ ...baseEnv, SESSION_STORE: store, SESSION_FALLBACK: 'cookie' });
      expect(problems).toMatch(/SESSION_FALLBACK=cookie needs SESSION_STORE=redis/);
    },
  );

  it.each([
    ['SESSION_FALLBACK', 'redis'],
    ['SESSION_FALLBACK_MAX_AGE', '0'],
    ['SESSION_FALLBACK_MAX_AGE', 'soon'],
    ['SESSION_FALLBACK_MAX_AGE', '999999'],
    ['SESSION_FALLBACK_RESTORE', 'maybe'],
  ])('refuses %s=%s and names it', (name, value) => {
    expect(problemsOf({ ...baseEnv, ...REDIS, SESSION_FALLBACK: 'cookie', [name]: value })).toMatch(name);
  });

  it('refuses SESSION_FALLBACK_RESTORE=true without the fallback', () => {
    expect(problemsOf({ ...baseEnv, ...REDIS, SESSION_FALLBACK_RESTORE: 'true' })).toMatch(
      /SESSION_FALLBACK_RESTORE=true needs SESSION_FALLBACK=cookie/,
    );
  });
});
