import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { declarations, effectiveConfig, loadConfig, logEffectiveConfig, REDACTED } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { baseEnv } from '../fixtures/env.js';

const { SESSION_SECRET: current = '', ...withoutSecret } = baseEnv;
const previous = 'fedcba9876543210fedcba9876543210';
const env = {
  ...withoutSecret,
  SESSION_SECRETS: `${current},${previous}`,
  SESSION_STORE: 'redis',
  REDIS_URL: 'rediss://default:url-secret-pw@redis.test:6380/1',
  REDIS_PASSWORD: 'redis-secret-pw',
  UPSTREAM_URL: 'http://svc:token-in-url@app.internal:8080/',
  HEADERS: '[{"name":"X-Api-Key","value":"literal-api-key"}]',
  ASSERT_CLAIMS: '[{"name":"groups","anyOf":["staff"]}]',
};
const secrets = [
  current,
  previous,
  'client-secret',
  'url-secret-pw',
  'redis-secret-pw',
  'token-in-url',
  'literal-api-key',
];

describe('effectiveConfig', () => {
  const config = loadConfig(env);
  const effective = effectiveConfig(config);

  it('names every declared variable except AZURE_TENANT_ID, whose effect is OIDC_ISSUER_URL', () => {
    expect(Object.keys(effective).sort()).toEqual(
      declarations
        .map((d) => d.name)
        .filter((n) => n !== 'AZURE_TENANT_ID')
        .sort(),
    );
  });

  it('redacts every secret and strips credentials from URLs', () => {
    expect(effective).toMatchObject({
      OIDC_CLIENT_SECRET: REDACTED,
      SESSION_SECRET: REDACTED,
      SESSION_SECRETS: [REDACTED, REDACTED],
      REDIS_PASSWORD: REDACTED,
      REDIS_URL: 'rediss://redis.test:6380/1',
      UPSTREAM_URL: 'http://app.internal:8080/',
      HEADERS: ['X-Api-Key'],
    });
    const text = JSON.stringify(effective);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('shows the values in effect, defaults applied', () => {
    expect(effective).toMatchObject({
      OIDC_ISSUER_URL: 'https://login.example.test/tenant/v2.0',
      OIDC_CLIENT_ID: 'client-id',
      OIDC_SCOPES: ['openid', 'profile', 'email'],
      SESSION_STORE: 'redis',
      SESSION_MAX_AGE: 43200,
      POST_LOGOUT_REDIRECT_URI: 'https://app.test/oauth2/signed-out',
      ASSERT_CLAIMS: [{ name: 'groups', anyOf: ['staff'] }],
      PORT: 4180,
    });
    expect(effectiveConfig(loadConfig(baseEnv)).REDIS_PASSWORD).toBeUndefined();
  });

  it('is written as one log line with no secret in it', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        lines.push(chunk.toString());
        done();
      },
    });
    logEffectiveConfig(createLogger('info', sink), config);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '{}') as { event: string; config: Record<string, unknown> };
    expect(line.event).toBe('config');
    expect(line.config.SESSION_SECRETS).toEqual([REDACTED, REDACTED]);
    for (const secret of secrets) expect(lines[0]).not.toContain(secret);
  });
});
