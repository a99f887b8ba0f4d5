import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { effectiveConfig } from '../../src/config/effective-config.js';
import { baseEnv } from '../fixtures/env.js';

const JWK_PATH = '/secrets/client.jwk.json';
const TOKEN_PATH = '/var/run/secrets/azure/tokens/azure-identity-token';
const secretless = { ...baseEnv, OIDC_CLIENT_SECRET: undefined };

let rsa: JWK;
let ec: JWK;

function reader(files: Record<string, string>): (path: string) => string {
  return (path) => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return content;
  };
}

function problemsOf(env: Record<string, string | undefined>, files: Record<string, string> = {}): string {
  try {
    loadConfig(env, { readFile: reader(files) });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
}

beforeAll(async () => {
  const rsaPair = await generateKeyPair('RS256', { extractable: true });
  const ecPair = await generateKeyPair('ES256', { extractable: true });
  rsa = { ...(await exportJWK(rsaPair.privateKey)), kid: 'rsa-1', alg: 'RS256' };
  ec = { ...(await exportJWK(ecPair.privateKey)), kid: 'ec-1', alg: 'ES256' };
});

describe('client authentication settings', () => {
  it('needs OIDC_CLIENT_SECRET when neither secretless variable is set, and names both alternatives', () => {
    const text = problemsOf(secretless);
    expect(text).toMatch(/OIDC_CLIENT_SECRET is required/);
    expect(text).toMatch(/OIDC_CLIENT_JWK_FILE or OIDC_CLIENT_ASSERTION_FILE/);
  });

  it('keeps client_secret_post when only the secret is set', () => {
    const c = loadConfig(baseEnv);
    expect(c.clientAuth).toEqual({ method: 'client_secret_post' });
    expect(c.clientSecret).toBe(baseEnv.OIDC_CLIENT_SECRET);
  });

  it.each([
    ['an RSA', () => rsa],
    ['an EC', () => ec],
  ])('accepts %s private JWK without a secret (private_key_jwt)', (_kind, jwk) => {
    const c = loadConfig(
      { ...secretless, OIDC_CLIENT_JWK_FILE: JWK_PATH },
      { readFile: reader({ [JWK_PATH]: JSON.stringify(jwk()) }) },
    );
    expect(c.clientAuth).toEqual({ method: 'private_key_jwt', jwkFile: JWK_PATH });
    expect(c.clientSecret).toBeUndefined();
  });

  it('accepts a readable federated token file without a secret', () => {
    const c = loadConfig(
      { ...secretless, OIDC_CLIENT_ASSERTION_FILE: TOKEN_PATH },
      { readFile: reader({ [TOKEN_PATH]: 'eyJhbGciOi.x.y\n' }) },
    );
    expect(c.clientAuth).toEqual({ method: 'federated_assertion', assertionFile: TOKEN_PATH });
    expect(c.clientSecret).toBeUndefined();
  });

  it('refuses both secretless variables at once, naming both', () => {
    const text = problemsOf(
      { ...secretless, OIDC_CLIENT_JWK_FILE: JWK_PATH, OIDC_CLIENT_ASSERTION_FILE: TOKEN_PATH },
      { [JWK_PATH]: JSON.stringify(rsa), [TOKEN_PATH]: 'x.y.z' },
    );
    expect(text).toMatch(/OIDC_CLIENT_JWK_FILE and OIDC_CLIENT_ASSERTION_FILE are both set/);
  });

  it('warns that the secret is ignored when a secretless method is also set', () => {
    const c = loadConfig(
      { ...baseEnv, OIDC_CLIENT_JWK_FILE: JWK_PATH },
      { readFile: reader({ [JWK_PATH]: JSON.stringify(rsa) }) },
    );
    expect(c.clientSecret).toBeUndefined();
    expect(c.warnings.join('\n')).toMatch(/OIDC_CLIENT_SECRET is ignored: OIDC_CLIENT_JWK_FILE/);
  });

  it.each<[string, () => unknown, RegExp]>([
    ['not JSON', () => 'not json', /is not JSON/],
    ['a JWK set', () => [rsa], /not a JSON object/],
    ['a JWK without kid', () => ({ ...rsa, kid: undefined }), /has no "kid"/],
    ['a JWK without alg', () => ({ ...rsa, alg: undefined }), /asymmetric signing algorithm/],
    ['a symmetric JWK', () => ({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ', kid: 'h', alg: 'HS256' }), /asymmetric/],
    ['an alg that does not fit the key', () => ({ ...rsa, alg: 'ES256' }), /needs a EC P-256 key/],
    ['a public key', () => ({ kty: rsa.kty, n: rsa.n, e: rsa.e, kid: 'rsa-1', alg: 'RS256' }), /public key/],
    ['broken key material', () => ({ ...ec, x: ec.y }), /not a valid private key/],
  ])('refuses %s in OIDC_CLIENT_JWK_FILE, without quoting the key', (_case, content, reason) => {
    const value = content();
    const text = problemsOf(
      { ...secretless, OIDC_CLIENT_JWK_FILE: JWK_PATH },
      { [JWK_PATH]: typeof value === 'string' ? value : JSON.stringify(value) },
    );
    expect(text).toMatch(new RegExp(`OIDC_CLIENT_JWK_FILE: ${JWK_PATH} `));
    expect(text).toMatch(reason);
    expect(text).not.toContain(String(rsa.d));
    expect(text).not.toContain(String(ec.d));
    expect(text).not.toMatch(/OIDC_CLIENT_SECRET is required/);
  });

  it('refuses a key or token file that cannot be read, or an empty token file, naming the variable and path', () => {
    expect(problemsOf({ ...secretless, OIDC_CLIENT_JWK_FILE: JWK_PATH })).toMatch(
      `OIDC_CLIENT_JWK_FILE: cannot read ${JWK_PATH} (ENOENT)`,
    );
    expect(problemsOf({ ...secretless, OIDC_CLIENT_ASSERTION_FILE: TOKEN_PATH })).toMatch(
      `OIDC_CLIENT_ASSERTION_FILE: cannot read ${TOKEN_PATH} (ENOENT)`,
    );
    expect(problemsOf({ ...secretless, OIDC_CLIENT_ASSERTION_FILE: TOKEN_PATH }, { [TOKEN_PATH]: ' \n' })).toMatch(
      `OIDC_CLIENT_ASSERTION_FILE: file ${TOKEN_PATH} is empty`,
    );
  });

  it('logs the file paths in the effective configuration, never their content', () => {
    const c = loadConfig(
      { ...secretless, OIDC_CLIENT_JWK_FILE: JWK_PATH },
      { readFile: reader({ [JWK_PATH]: JSON.stringify(rsa) }) },
    );
    const logged = effectiveConfig(c);
    expect(logged).toMatchObject({ OIDC_CLIENT_JWK_FILE: JWK_PATH, OIDC_CLIENT_SECRET: undefined });
    expect(JSON.stringify(logged)).not.toContain(String(rsa.d));
    const f = loadConfig(
      { ...secretless, OIDC_CLIENT_ASSERTION_FILE: TOKEN_PATH },
      { readFile: reader({ [TOKEN_PATH]: 'header.payload.signature' }) },
    );
    expect(effectiveConfig(f)).toMatchObject({ OIDC_CLIENT_ASSERTION_FILE: TOKEN_PATH });
    expect(JSON.stringify(effectiveConfig(f))).not.toContain('header.payload.signature');
  });
});
