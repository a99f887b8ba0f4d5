import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { baseEnv } from '../../fixtures/env.js';

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('UNAUTHENTICATED_BEHAVIOR', () => {
  it.each(['auto', 'unauthorized', 'pass'] as const)('accepts %s', (value) => {
    expect(loadConfig({ ...baseEnv, UNAUTHENTICATED_BEHAVIOR: value }).unauthenticatedBehavior).toBe(value);
  });

  it('refuses another value and names the variable', () => {
    expect(problemsOf({ ...baseEnv, UNAUTHENTICATED_BEHAVIOR: 'forward' }).join()).toMatch(/UNAUTHENTICATED_BEHAVIOR/);
  });
});

describe('ERROR_REDIRECT_PATH', () => {
  it('is unset by default: failed logins show the error page', () => {
    expect(loadConfig(baseEnv).errorRedirectPath).toBeUndefined();
    expect(loadConfig({ ...baseEnv, ERROR_REDIRECT_PATH: '' }).errorRedirectPath).toBeUndefined();
  });

  it.each(['/login-failed', '/errors/sign-in', '/a%20b/c', "/x-._~!$&'()*+,;=:@"])('accepts the path %s', (path) => {
    expect(loadConfig({ ...baseEnv, ERROR_REDIRECT_PATH: path }).errorRedirectPath).toBe(path);
  });

  it.each([
    'login-failed',
    '//evil.test/x',
    'https://evil.test/x',
    '/x?y=1',
    '/x#y',
    '/a b',
    '/\\evil.test',
    '/%zz',
    '/é',
  ])('refuses %j and names the variable', (path) => {
    const problems = problemsOf({ ...baseEnv, ERROR_REDIRECT_PATH: path });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ERROR_REDIRECT_PATH must be a path/);
  });

  it('refuses the home page and POST_LOGIN_REDIRECT_PATH, which would become public', () => {
    expect(problemsOf({ ...baseEnv, ERROR_REDIRECT_PATH: '/' }).join()).toMatch(
      /ERROR_REDIRECT_PATH must be a page of its own/,
    );
    expect(problemsOf({ ...baseEnv, POST_LOGIN_REDIRECT_PATH: '/home', ERROR_REDIRECT_PATH: '/home' }).join()).toMatch(
      /ERROR_REDIRECT_PATH must be a page of its own/,
    );
  });

  it('refuses the login and callback paths, which would loop', () => {
    expect(problemsOf({ ...baseEnv, ERROR_REDIRECT_PATH: '/oauth2/callback' }).join()).toMatch(
      /ERROR_REDIRECT_PATH must not be LOGIN_PATH or CALLBACK_PATH/,
    );
    expect(problemsOf({ ...baseEnv, LOGIN_PATH: '/signin', ERROR_REDIRECT_PATH: '/signin' }).join()).toMatch(
      /ERROR_REDIRECT_PATH must not be LOGIN_PATH/,
    );
  });
});
