import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { baseEnv } from '../fixtures/env.js';

function problemsOf(env: Record<string, string | undefined>, readFile?: (p: string) => string): readonly string[] {
  try {
    loadConfig(env, readFile ? { readFile } : {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies documented defaults to a minimal environment', () => {
    const c = loadConfig(baseEnv);
    expect(c.port).toBe(4180);
    expect(c.scopes).toEqual(['openid', 'profile', 'email']);
    expect(c.sessionStore).toBe('cookie');
    expect(c.cookieNamePrefix).toBe('_idp_');
    expect(c.callbackPath).toBe('/oauth2/callback');
    expect(c.postLogoutRedirectUri).toBe('https://app.test/oauth2/signed-out');
    expect(c.unauthenticatedBehavior).toBe('auto');
  });

  it('reports every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      SESSION_SECRET: 'short',
      SESSION_STORE: 'disk',
      PORT: 'eighty',
      ASSERT_CLAIMS: '{',
      BYPASS_PATHS: 'health',
    });
    const text = problems.join('\n');
    for (const name of [
      'OIDC_ISSUER_URL',
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'SESSION_SECRET',
      'DOMAIN',
      'SESSION_STORE',
      'PORT',
      'ASSERT_CLAIMS',
      'BYPASS_PATHS',
    ]) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(9);
  });

  it('requires SESSION_SECRET to be exactly 32 characters', () => {
    expect(problemsOf({ ...baseEnv, SESSION_SECRET: 'a'.repeat(31) })).toEqual([
      expect.stringMatching(/SESSION_SECRET must be exactly 32 characters \(got 31\)/),
    ]);
  });

  it('derives the Entra issuer from AZURE_TENANT_ID', () => {
    const { OIDC_ISSUER_URL: _, ...env } = baseEnv;
    expect(loadConfig({ ...env, AZURE_TENANT_ID: 'contoso.onmicrosoft.com' }).issuerUrl.href).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
    );
  });

  it('refuses both OIDC_ISSUER_URL and AZURE_TENANT_ID', () => {
    expect(problemsOf({ ...baseEnv, AZURE_TENANT_ID: 'x' }).join()).toMatch(/both set/);
  });

  it('refuses an http issuer unless OIDC_ALLOW_INSECURE_HTTP is set, and then warns', () => {
    expect(problemsOf({ ...baseEnv, OIDC_ISSUER_URL: 'http://idp.local' }).join()).toMatch(/OIDC_ALLOW_INSECURE_HTTP/);
    const c = loadConfig({ ...baseEnv, OIDC_ISSUER_URL: 'http://idp.local', OIDC_ALLOW_INSECURE_HTTP: 'true' });
    expect(c.warnings.join()).toMatch(/http/);
  });

  it('reads secrets from *_FILE (a mounted Kubernetes secret), trimming one newline', () => {
    const { OIDC_CLIENT_SECRET: _, ...env } = baseEnv;
    const c = loadConfig(
      { ...env, OIDC_CLIENT_SECRET_FILE: '/run/secrets/cs' },
      { readFile: (p) => (p === '/run/secrets/cs' ? 'from-file\n' : '') },
    );
    expect(c.clientSecret).toBe('from-file');
  });

  it('names the variable when a secret file cannot be read, or both forms are set', () => {
    const missing = problemsOf({ ...baseEnv, SESSION_SECRET: undefined, SESSION_SECRET_FILE: '/nope' }, () => {
      throw Object.assign(new Error('no'), { code: 'ENOENT' });
    });
    expect(missing.join()).toMatch(/SESSION_SECRET_FILE: cannot read \/nope \(ENOENT\)/);
    expect(problemsOf({ ...baseEnv, OIDC_CLIENT_ID_FILE: '/x' }, () => 'y').join()).toMatch(
      /OIDC_CLIENT_ID and OIDC_CLIENT_ID_FILE are both set/,
    );
  });

  it('requires REDIS_URL for the redis store', () => {
    expect(problemsOf({ ...baseEnv, SESSION_STORE: 'redis' }).join()).toMatch(/REDIS_URL is required/);
    expect(loadConfig({ ...baseEnv, SESSION_STORE: 'redis', REDIS_URL: 'redis://r:6379' }).redis.url).toBe(
      'redis://r:6379',
    );
  });

  it('warns that the memory store is for one process only', () => {
    expect(loadConfig({ ...baseEnv, SESSION_STORE: 'memory' }).warnings.join()).toMatch(/memory/);
  });

  it('parses ASSERT_CLAIMS and reports malformed rules by index', () => {
    const c = loadConfig({
      ...baseEnv,
      ASSERT_CLAIMS: '[{"name":"groups","anyOf":["a","b"]},{"name":"roles","allOf":["reader"]}]',
    });
    expect(c.assertClaims).toHaveLength(2);
    const problems = problemsOf({
      ...baseEnv,
      ASSERT_CLAIMS:
        '[{"name":"groups"},{"name":"","anyOf":["a"]},{"name":"x","anyOf":[]},{"name":"y","anyOf":["a"],"allOf":["b"]},{"name":"z","oneOf":["a"]}]',
    });
    expect(problems.join('\n')).toMatch(/ASSERT_CLAIMS\[0\]/);
    expect(problems.join('\n')).toMatch(/ASSERT_CLAIMS\[1\]\.name/);
    expect(problems.join('\n')).toMatch(/ASSERT_CLAIMS\[2\]\.anyOf/);
    expect(problems.join('\n')).toMatch(/ASSERT_CLAIMS\[3\] must have exactly one/);
    expect(problems.join('\n')).toMatch(/ASSERT_CLAIMS\[4\] has unknown key/);
  });

  it('rejects header templates with unknown references', () => {
    expect(problemsOf({ ...baseEnv, HEADERS: '[{"name":"X-A","value":"{{ .secret }}"}]' }).join()).toMatch(
      /HEADERS\[0\]\.value: unknown reference/,
    );
  });

  it('rejects a DOMAIN with scheme or path, and a bad cookie prefix', () => {
    expect(
      problemsOf({ ...baseEnv, DOMAIN: 'https://app.test/x', COOKIE_NAME_PREFIX: 'bad prefix;' }).join('\n'),
    ).toMatch(/DOMAIN[\s\S]*COOKIE_NAME_PREFIX/);
  });

  it('refuses SameSite=None without Secure', () => {
    expect(problemsOf({ ...baseEnv, COOKIE_SAMESITE: 'None', COOKIE_SECURE: 'false' }).join()).toMatch(
      /COOKIE_SAMESITE=None requires COOKIE_SECURE=true/,
    );
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig({ ...baseEnv, BYPASS_PATHS: '/a,/b' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.bypassPaths)).toBe(true);
    expect(Object.isFrozen(c.redis)).toBe(true);
  });
});

describe('loadConfig: identity header names and tenants', () => {
  it('refuses reserved header names for identity', () => {
    const text = problemsOf({
      ...baseEnv,
      HEADERS: '[{"name":"Content-Length","value":"{{ .claims.x }}"},{"name":"Set-Cookie","value":"x"}]',
      ID_TOKEN_HEADER: 'Host',
    }).join('\n');
    expect(text).toMatch(/HEADERS: "Content-Length" is a reserved header/);
    expect(text).toMatch(/HEADERS: "Set-Cookie" is a reserved header/);
    expect(text).toMatch(/ID_TOKEN_HEADER: "Host" is a reserved header/);
  });

  it('refuses identity header names that repeat each other, ignoring case and underscores', () => {
    const text = problemsOf({
      ...baseEnv,
      HEADERS: '[{"name":"x_forwarded_user","value":"{{ .claims.sub }}"},{"name":"X-Team","value":"a"}]',
      AUTHORIZATION_HEADER: 'x-team',
    }).join('\n');
    expect(text).toMatch(/HEADERS: "x_forwarded_user" repeats X-Forwarded-User/);
    expect(text).toMatch(/AUTHORIZATION_HEADER: "x-team" repeats HEADERS "X-Team"/);
  });

  it('refuses the built-in subject header for HEADERS and the token headers, in any spelling', () => {
    const text = problemsOf({
      ...baseEnv,
      HEADERS: '[{"name":"X_Forwarded_Subject","value":"{{ .claims.sub }}"}]',
      ID_TOKEN_HEADER: 'x-forwarded-SUBJECT',
    }).join('\n');
    expect(text).toMatch(/HEADERS: "X_Forwarded_Subject" repeats X-Forwarded-Subject \(built in\)/);
    expect(text).toMatch(/ID_TOKEN_HEADER: "x-forwarded-SUBJECT" repeats X-Forwarded-Subject \(built in\)/);
  });

  it('accepts Authorization for the access token', () => {
    expect(loadConfig({ ...baseEnv, AUTHORIZATION_HEADER: 'Authorization' }).authorizationHeader).toBe('Authorization');
  });

  it.each(['organizations', 'common', 'consumers'])(
    'refuses the multi-tenant Entra endpoint %s without a rule on tid',
    (tenant) => {
      const { OIDC_ISSUER_URL: _, ...env } = baseEnv;
      expect(problemsOf({ ...env, AZURE_TENANT_ID: tenant }).join()).toMatch(
        /AZURE_TENANT_ID names a multi-tenant Entra endpoint.*ASSERT_CLAIMS rule on tid/,
      );
      expect(
        problemsOf({ ...baseEnv, OIDC_ISSUER_URL: `https://login.microsoftonline.com/${tenant}/v2.0` }).join(),
      ).toMatch(/OIDC_ISSUER_URL names a multi-tenant/);
    },
  );

  it('accepts a multi-tenant endpoint restricted by tid', () => {
    const { OIDC_ISSUER_URL: _, ...env } = baseEnv;
    const c = loadConfig({
      ...env,
      AZURE_TENANT_ID: 'organizations',
      ASSERT_CLAIMS: '[{"name":"tid","anyOf":["11111111-2222-3333-4444-555555555555"]}]',
    });
    expect(c.issuerUrl.href).toBe('https://login.microsoftonline.com/organizations/v2.0');
  });
});
