import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
import type * as client from 'openid-client';
import { JWT_BEARER_ASSERTION, privateKeyJwt } from '../../src/oidc/client-auth.js';

const CLIENT_ID = 'client-id';
const metadata = { client_id: CLIENT_ID } as client.ClientMetadata;
const entra = {
  issuer: 'https://login.microsoftonline.com/tenant/v2.0',
  token_endpoint: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
} as client.ServerMetadata;
const generic = {
  issuer: 'https://idp.example.test',
  token_endpoint: 'https://idp.example.test/token',
} as client.ServerMetadata;

let dir: string;
let publicKey: CryptoKey;
let jwk: JWK;

async function assertionFor(as: client.ServerMetadata, file: string): Promise<URLSearchParams> {
  const body = new URLSearchParams();
  // eslint-disable-next-line @typescript-eslint/await-thenable, @typescript-eslint/no-confusing-void-expression -- a ClientAuth may return a promise (oauth4webapi types it void)
  await (
    await privateKeyJwt(file)
  )(as, metadata, body, new Headers());
  return body;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pkjwt-'));
  const pair = await generateKeyPair('PS256', { extractable: true });
  publicKey = pair.publicKey;
  jwk = { ...(await exportJWK(pair.privateKey)), kid: 'key-1', alg: 'PS256' };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('private_key_jwt client assertions', () => {
  it("signs a fresh assertion with the JWK's kid and alg, for the issuer", async () => {
    const file = join(dir, 'plain.json');
    await writeFile(file, JSON.stringify(jwk));
    const first = await assertionFor(generic, file);
    const second = await assertionFor(generic, file);
    expect(first.get('client_assertion_type')).toBe(JWT_BEARER_ASSERTION);
    expect(first.get('client_id')).toBe(CLIENT_ID);
    const { payload, protectedHeader } = await jwtVerify(first.get('client_assertion') ?? '', publicKey, {
      issuer: CLIENT_ID,
      subject: CLIENT_ID,
      audience: generic.issuer,
    });
    expect(protectedHeader).toEqual({ alg: 'PS256', kid: 'key-1' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(60);
    expect(second.get('client_assertion')).not.toBe(first.get('client_assertion'));
  });

  it("addresses Entra ID's token endpoint and names the certificate by its thumbprints", async () => {
    const file = join(dir, 'entra.json');
    await writeFile(file, JSON.stringify({ ...jwk, x5t: 'c2hhMS10aHVtYg', 'x5t#S256': 'c2hhMjU2LXRodW1i' }));
    const body = await assertionFor(entra, file);
    const { protectedHeader } = await jwtVerify(body.get('client_assertion') ?? '', publicKey, {
      audience: entra.token_endpoint,
    });
    expect(protectedHeader).toMatchObject({ kid: 'key-1', x5t: 'c2hhMS10aHVtYg', 'x5t#S256': 'c2hhMjU2LXRodW1i' });
  });
});
