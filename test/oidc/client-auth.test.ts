import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../dev/identity-provider.js';
import { clientAuthentication } from '../../src/oidc/client-auth.js';
import type { Config } from '../../src/config/index.js';
import { createOpenidGrants } from '../../src/token-api/grants.js';
import type { ProviderToken } from '../../src/token-api/token-cache.js';
import { ORIGIN, startHarness, type Harness } from '../support/harness.js';

const JWT_CLIENT = 'jwt-app';
const FEDERATED_CLIENT = 'federated-app';

interface KeyPair {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
}

async function keyPair(alg: 'RS256' | 'ES256', kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    privateKey,
  };
}

/** A federated token as a workload identity would project it: signed by a key the provider trusts for the client. */
async function federatedToken(idp: DevIdentityProvider, key: KeyPair, expiresIn = 60): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid ?? '' })
    .setIssuer(FEDERATED_CLIENT)
    .setSubject(FEDERATED_CLIENT)
    .setAudience(`${idp.issuer}/token`)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now - 120)
    .setExpirationTime(now + expiresIn)
    .sign(key.privateKey);
}

/** The token API's client credentials grant on a configuration discovered with the service's own client authentication. */
async function clientCredentials(config: Config): Promise<ProviderToken> {
  const { metadata, auth } = await clientAuthentication(config);
  const configuration = await client.discovery(config.issuerUrl, config.clientId, metadata, auth, {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the dev provider speaks plain http on loopback
    execute: [client.allowInsecureRequests],
  });
  return createOpenidGrants({ configuration: () => configuration, exchangeGrant: 'obo' }).clientCredentials({
    target: 'profile',
  });
}

const redirect = { redirectUris: [`${ORIGIN}/oauth2/callback`], clientCredentials: true } as const;

describe('secretless client authentication on the real provider', () => {
  let dir: string;
  let idp: DevIdentityProvider;
  let jwtKey: KeyPair;
  let otherKey: KeyPair;
  let federationKey: KeyPair;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'client-auth-'));
    [jwtKey, otherKey, federationKey] = await Promise.all([
      keyPair('RS256', 'jwt-key'),
      keyPair('RS256', 'jwt-key'),
      keyPair('ES256', 'federation-key'),
    ]);
    idp = await startDevIdentityProvider({
      clients: [
        {
          clientId: JWT_CLIENT,
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: { keys: [jwtKey.publicJwk] },
          ...redirect,
        },
        {
          clientId: FEDERATED_CLIENT,
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: { keys: [federationKey.publicJwk] },
          ...redirect,
        },
      ],
    });
  });
  afterAll(async () => {
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('private_key_jwt (OIDC_CLIENT_JWK_FILE)', () => {
    let h: Harness;
    beforeAll(async () => {
      const file = join(dir, 'client.jwk.json');
      await writeFile(file, JSON.stringify(jwtKey.privateJwk));
      h = await startHarness({
        idp,
        client: { clientId: JWT_CLIENT, clientSecret: '' },
        env: { OIDC_CLIENT_JWK_FILE: file },
      });
    });
    afterAll(async () => {
      await h.close();
    });

    it('logs in (code exchange) without a client secret', async () => {
      expect(h.config.clientSecret).toBeUndefined();
      const cookie = await h.login('alice');
      expect((await h.forward('/', { cookie })).status).toBe(200);
    });

    it('gets a client credentials token on the same client authentication', async () => {
      const tokens = await clientCredentials(h.config);
      expect(tokens.accessToken).toEqual(expect.any(String));
    });

    it('never logs the key', () => {
      const logs = h.logs.join('');
      expect(logs).toContain('provider metadata loaded');
      expect(logs).not.toContain(String(jwtKey.privateJwk.d));
    });
  });

  describe('private_key_jwt with a key the provider does not know', () => {
    let h: Harness;
    beforeAll(async () => {
      const file = join(dir, 'wrong.jwk.json');
      await writeFile(file, JSON.stringify(otherKey.privateJwk));
      h = await startHarness({
        idp,
        client: { clientId: JWT_CLIENT, clientSecret: '' },
        env: { OIDC_CLIENT_JWK_FILE: file },
      });
    });
    afterAll(async () => {
      await h.close();
    });

    it("fails the login and logs the provider's invalid_client reason, not the key", async () => {
      await expect(h.login('alice')).rejects.toThrow(/callback failed with 400/);
      const logs = h.logs.join('');
      expect(logs).toMatch(/invalid_client/);
      expect(logs).not.toContain(String(otherKey.privateJwk.d));
      await expect(clientCredentials(h.config)).rejects.toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('a federated assertion (OIDC_CLIENT_ASSERTION_FILE)', () => {
    let h: Harness;
    let file: string;
    beforeAll(async () => {
      file = join(dir, 'azure-identity-token');
      await writeFile(file, `${await federatedToken(idp, federationKey)}\n`);
      h = await startHarness({
        idp,
        client: { clientId: FEDERATED_CLIENT, clientSecret: '' },
        env: { OIDC_CLIENT_ASSERTION_FILE: file },
      });
    });
    afterAll(async () => {
      await h.close();
    });

    it('logs in with the token in the file, and reads the file again for the next login', async () => {
      const first = await federatedToken(idp, federationKey);
      await writeFile(file, first);
      expect((await h.forward('/', { cookie: await h.login('alice') })).status).toBe(200);
      // The provider accepts each assertion once: only a re-read, rotated file lets the next login pass.
      await expect(h.login('bob')).rejects.toThrow(/callback failed with 400/);
      await writeFile(file, `${await federatedToken(idp, federationKey)}\n`);
      expect((await h.forward('/', { cookie: await h.login('bob') })).status).toBe(200);
      expect(h.logs.join('')).not.toContain(first);
    });

    it('gets a client credentials token with the federated assertion', async () => {
      await writeFile(file, await federatedToken(idp, federationKey));
      const tokens = await clientCredentials(h.config);
      expect(tokens.accessToken).toEqual(expect.any(String));
    });

    it('fails the login with invalid_client logged when the token in the file has expired', async () => {
      const stale = await federatedToken(idp, federationKey, -600);
      await writeFile(file, stale);
      await expect(h.login('alice')).rejects.toThrow(/callback failed with 400/);
      const logs = h.logs.join('');
      expect(logs).toMatch(/invalid_client/);
      expect(logs).not.toContain(stale);
    });

    it('answers 503 naming OIDC_CLIENT_ASSERTION_FILE when the file cannot be read', async () => {
      await unlink(file);
      await expect(h.login('alice')).rejects.toThrow(/callback failed with 503/);
      expect(h.logs.join('')).toMatch(/OIDC_CLIENT_ASSERTION_FILE: cannot read .*azure-identity-token \(ENOENT\)/);
      await expect(clientCredentials(h.config)).rejects.toMatchObject({
        status: 500,
        error: 'server_error',
        description: expect.stringMatching(/OIDC_CLIENT_ASSERTION_FILE: cannot read .* \(ENOENT\)/),
      });
      await writeFile(file, '  \n');
      await expect(h.login('alice')).rejects.toThrow(/callback failed with 503/);
      expect(h.logs.join('')).toMatch(/OIDC_CLIENT_ASSERTION_FILE: file .* is empty/);
    });
  });
});
