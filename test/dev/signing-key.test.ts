import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../dev/identity-provider.js';
import { CLIENT, ORIGIN, signInAtProvider } from '../support/harness.js';

/** An id_token from the provider, through a real code flow (openid-client, signature left to the test). */
async function idToken(idp: DevIdentityProvider): Promise<string> {
  const config = await client.discovery(new URL(idp.issuer), CLIENT.clientId, CLIENT.clientSecret, undefined, {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the test provider serves http://
    execute: [client.allowInsecureRequests],
  });
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${ORIGIN}/oauth2/callback`,
    scope: 'openid',
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  const callback = new URL(await signInAtProvider(url.href, 'alice'));
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return tokens.id_token ?? '';
}

describe('the development provider’s signing key', () => {
  let idp: DevIdentityProvider;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  beforeAll(async () => {
    idp = await startDevIdentityProvider({ clients: [{ ...CLIENT, redirectUris: [`${ORIGIN}/oauth2/callback`] }] });
    jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  });
  afterAll(async () => {
    await idp.close();
  });

  it('signs with the key it publishes at jwks_uri by default', async () => {
    const token = await idToken(idp);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: 'dev-key' });
    await expect(jwtVerify(token, jwks, { issuer: idp.issuer, audience: CLIENT.clientId })).resolves.toBeDefined();
  });

  it('signs with a foreign key under the published kid when told to, and back again', async () => {
    idp.signingKey = 'foreign';
    try {
      const token = await idToken(idp);
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: 'dev-key' });
      await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    } finally {
      idp.signingKey = 'published';
    }
    await expect(jwtVerify(await idToken(idp), jwks)).resolves.toBeDefined();
  });
});
