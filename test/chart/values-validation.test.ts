// Values that must be refused, with a message that names the offending key: the
// schema (values.schema.json, additionalProperties false everywhere) and the
// cross-field checks in templates/validate.yaml.
import { describe, it, expect } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir, lint, template } from './helm.js';

const __dirname_ = join(chartDir, '../../test/chart');

const team = 'existing-team-values.yaml';

async function refusal(values: Record<string, unknown>, valuesFiles: string[] = [team]): Promise<string> {
  const result = await template({ valuesFiles, values });
  expect(result.code).not.toBe(0);
  return result.stderr;
}

describe('misspelt keys', () => {
  it('refuses an unknown top-level key and names it', async () => {
    const message = await refusal({ bypasPaths: ['/x'] });
    expect(message).toContain("additional properties 'bypasPaths' not allowed");
  });

  it('refuses an unknown nested key and names it with its path', async () => {
    const message = await refusal({ externalSecret: { separateSecret: { clientId: 'a' } } });
    expect(message).toMatch(/at '\/externalSecret': additional properties 'separateSecret' not allowed/);
  });

  it('refuses a misspelt key inside a list item', async () => {
    const message = await refusal({ authorization: { assertClaims: [{ name: 'groups', anyof: ['a'] }] } });
    expect(message).toMatch(/\/authorization\/assertClaims\/0.*additional properties 'anyof' not allowed/);
  });

  it('refuses a misspelt key in the old plugin capitalisation of sessionCookie', async () => {
    const message = await refusal({ sessionCookie: { Samesite: 'Lax' } });
    expect(message).toMatch(/\/sessionCookie.*'Samesite' not allowed/);
  });

  it('makes helm lint fail on the same typo', async () => {
    const result = await lint({ valuesFiles: [team], values: { provider: { tenantID: 'x' } } });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain("additional properties 'tenantID' not allowed");
  });
});

describe('wrong types and values', () => {
  it('refuses autoLogin: false next to another unauthorizedBehavior, naming both', async () => {
    const message = await refusal({ autoLogin: false, unauthorizedBehavior: 'Challenge' });
    expect(message).toMatch(/autoLogin: false .*unauthorizedBehavior: Challenge/);
    expect(message).toContain('autoLogin: false lets unauthenticated requests through');
  });

  it.each(['oops', '//evil.test/x', '/x?y=1', '/a b'])('refuses errorPath %j, naming it', async (errorPath) => {
    expect(await refusal({ errorPath })).toMatch(/\/errorPath/);
  });

  it('refuses an autoLogin that is not a boolean', async () => {
    expect(await refusal({ autoLogin: 'no' })).toMatch(/\/autoLogin/);
  });

  it('refuses an unknown session store', async () => {
    expect(await refusal({ sessionStore: { type: 'memcached' } })).toMatch(/\/sessionStore\/type/);
  });

  it('refuses a bypass path that is not an absolute path', async () => {
    expect(await refusal({ bypassPaths: ['api/health'] })).toMatch(/\/bypassPaths\/0/);
  });

  it('refuses a header name with spaces', async () => {
    expect(await refusal({ headers: [{ name: 'X Email', value: '{{ .claims.email }}' }] })).toMatch(
      /\/headers\/0\/name/,
    );
  });

  it('refuses a cookie prefix longer than the service allows', async () => {
    expect(await refusal({ cookieNamePrefix: 'x'.repeat(33) })).toMatch(/\/cookieNamePrefix/);
  });
});

describe('cross-field checks', () => {
  it('requires domain', async () => {
    const result = await template({ values: { existingSecret: 's' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('domain is required');
  });

  it('requires all three separate secrets together', async () => {
    const message = await refusal(
      { domain: 'a.example.com', externalSecret: { separateSecrets: { clientId: 'a', clientSecret: 'b' } } },
      [],
    );
    expect(message).toContain(
      'externalSecret.separateSecrets needs all three of clientId, clientSecret and sessionSecret',
    );
  });

  it('requires the list of session secrets with the other two when sessionSecrets.enabled', async () => {
    const message = await refusal(
      {
        domain: 'a.example.com',
        sessionSecrets: { enabled: true },
        externalSecret: { separateSecrets: { clientId: 'a', clientSecret: 'b' } },
      },
      [],
    );
    expect(message).toContain(
      'externalSecret.separateSecrets needs all three of clientId, clientSecret and sessionSecrets',
    );
  });

  it('refuses a separate session secret that would not be read', async () => {
    const single = { clientId: 'a', clientSecret: 'b', sessionSecret: 'c' };
    const enabled = await refusal(
      {
        domain: 'a.example.com',
        sessionSecrets: { enabled: true },
        externalSecret: { separateSecrets: { ...single, sessionSecrets: 'd' } },
      },
      [],
    );
    expect(enabled).toContain(
      'externalSecret.separateSecrets.sessionSecret is not read when sessionSecrets.enabled is true',
    );
    const disabled = await refusal(
      { domain: 'a.example.com', externalSecret: { separateSecrets: { ...single, sessionSecrets: 'd' } } },
      [],
    );
    expect(disabled).toContain(
      'externalSecret.separateSecrets.sessionSecrets is only read when sessionSecrets.enabled is true',
    );
  });

  it('refuses a misspelt key under sessionSecrets', async () => {
    expect(await refusal({ sessionSecrets: { enable: true } })).toMatch(
      /\/sessionSecrets.*additional properties 'enable' not allowed/,
    );
  });

  it('requires a secret source', async () => {
    const message = await refusal({ domain: 'a.example.com' }, []);
    expect(message).toContain('a secret source is required');
  });

  it('refuses two secret sources at once', async () => {
    const message = await refusal({ existingSecret: 'mine' });
    expect(message).toContain('choose one secret source, got existingSecret, externalSecret.separateSecrets');
  });

  it('requires redis.url for the redis session store', async () => {
    const message = await refusal({ sessionStore: { type: 'redis' } });
    expect(message).toContain('redis.url is required when sessionStore.type is redis');
  });

  it('accepts Sentinel nodes instead of redis.url', async () => {
    const result = await template({
      valuesFiles: [team],
      values: { sessionStore: { type: 'redis' }, redis: { sentinel: { nodes: ['s0:26379'] } } },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('REDIS_SENTINELS: "s0:26379"');
    expect(result.stdout).toContain('REDIS_COMMAND_TIMEOUT: "250"');
  });

  it('accepts Redis Cluster nodes instead of redis.url, and refuses them together with Sentinel', async () => {
    const result = await template({
      valuesFiles: [team],
      values: { sessionStore: { type: 'redis' }, redis: { cluster: { nodes: ['c0:6379', 'c1:6379'] } } },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('REDIS_CLUSTER_NODES: "c0:6379,c1:6379"');
    const both = { sentinel: { nodes: ['s0:26379'] }, cluster: { nodes: ['c0:6379'] } };
    const message = await refusal({ sessionStore: { type: 'redis' }, redis: both });
    expect(message).toContain('redis.sentinel.nodes and redis.cluster.nodes are both set');
  });

  it('passes redis.commandTimeout on and refuses one out of range', async () => {
    const redis = { url: 'redis://r:6379' };
    const result = await template({
      valuesFiles: [team],
      values: { sessionStore: { type: 'redis' }, redis: { ...redis, commandTimeout: 400 } },
    });
    expect(result.stdout).toContain('REDIS_COMMAND_TIMEOUT: "400"');
    const message = await refusal({ sessionStore: { type: 'redis' }, redis: { ...redis, commandTimeout: 5 } });
    expect(message).toContain('commandTimeout');
  });

  it('refuses callback and logout on the same path', async () => {
    const message = await refusal({ logoutUri: '/oauth2/callback' });
    expect(message).toContain('callbackUri and logoutUri are both "/oauth2/callback"');
  });

  it('refuses a claim rule without anyOf or allOf', async () => {
    const message = await refusal({ authorization: { assertClaims: [{ name: 'groups' }] } });
    expect(message).toContain('authorization.assertClaims[0] (groups) needs anyOf or allOf');
  });

  it('refuses a session lifetime the service would reject', async () => {
    const message = await refusal({ sessionCookie: { MaxAge: 30 } });
    expect(message).toContain('sessionCookie.MaxAge must be 0 (service default) or at least 60 seconds');
  });

  it('refuses SameSite None without Secure, which browsers would drop', async () => {
    const message = await refusal({ sessionCookie: { SameSite: 'None', Secure: false } });
    expect(message).toContain('sessionCookie.SameSite None requires sessionCookie.Secure true');
  });

  it('refuses a domain with a scheme or a path through the schema, naming it', async () => {
    expect(await refusal({ domain: 'https://myapp.test' })).toMatch(/at '\/domain'/);
    expect(await refusal({ domain: 'myapp.test/app' })).toMatch(/at '\/domain'/);
  });

  it('requires a provider: an issuer URL or an Entra tenant', async () => {
    const message = await refusal({ provider: { tenantId: '', url: '' } });
    expect(message).toContain('provider.url (issuer URL) or provider.tenantId (Entra ID tenant) is required');
  });

  it('refuses a relative callback path, naming the key', async () => {
    const message = await refusal({ callbackUri: 'oauth2/cb' });
    expect(message).toContain('callbackUri must be a path starting with / (or a full URL), got "oauth2/cb"');
  });

  it('refuses a post-logout redirect with a scheme other than http(s)', async () => {
    const message = await refusal({ postLogoutRedirectUri: 'javascript://x' });
    expect(message).toContain('postLogoutRedirectUri must be an http(s) URL or a path');
  });

  it('refuses a remote secret path without the remote secret name', async () => {
    const message = await refusal({ externalSecret: { remoteSecretPath: 'team/x' } });
    expect(message).toContain('externalSecret.remoteSecretPath is set but externalSecret.remoteSecretName is empty');
  });

  it('refuses an autoscaler whose minimum exceeds its maximum', async () => {
    const message = await refusal({ autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } });
    expect(message).toContain('autoscaling.minReplicas must not exceed autoscaling.maxReplicas');
  });

  it('requires both separate secrets with secretless client authentication, and no client secret', async () => {
    const message = await refusal({
      azure: { workloadIdentity: { enabled: true, clientId: 'abc' } },
      externalSecret: { separateSecrets: { clientSecret: '', sessionSecret: '' } },
    });
    expect(message).toContain('externalSecret.separateSecrets needs both clientId and sessionSecret');
  });

  it('requires the Sentinel master name with Sentinel nodes', async () => {
    const message = await refusal({
      sessionStore: { type: 'redis' },
      redis: { sentinel: { nodes: ['s0:26379'], masterName: '' } },
    });
    expect(message).toContain('redis.sentinel.masterName is required when redis.sentinel.nodes is set');
  });

  it('has a test for every check in templates/validate.yaml', () => {
    const rules = readFileSync(join(chartDir, 'templates/validate.yaml'), 'utf8');
    const tests = readdirSync(__dirname_)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(__dirname_, f), 'utf8'))
      .join('\n');
    // The literal start of each message (up to its first format verb), e.g. "domain is required:".
    const starts = [...rules.matchAll(/fail \(?(?:printf )?"([^"%]+)/g)].map((m) =>
      m[1].trim().split(' ').slice(0, 3).join(' '),
    );
    expect(starts.length).toBeGreaterThan(15);
    expect(starts.filter((start) => !tests.includes(start))).toEqual([]);
  });

  it('keeps every check in templates/validate.yaml', () => {
    const dir = join(chartDir, 'templates');
    const withFail = readdirSync(dir).filter((f) =>
      /\bfail\b/.test(readFileSync(join(dir, f), 'utf8').replace(/\{\{-? *\/\*[\s\S]*?\*\/ *-?\}\}/g, '')),
    );
    expect(withFail).toEqual(['validate.yaml']);
  });
});
