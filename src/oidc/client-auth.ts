import { readFile } from 'node:fs/promises';
import { importJWK, type JWK } from 'jose';
import * as client from 'openid-client';
import type { OidcConfig } from '../config/config.js';
import { AppError } from '../errors/app-error.js';

/** RFC 7523 `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What `client.discovery` needs to authenticate the client: its metadata and its `ClientAuth`. */
export interface ClientAuthentication {
  /** The client secret, or undefined for a secretless client. */
  readonly metadata: string | undefined;
  readonly auth: client.ClientAuth;
}

function unavailable(detail: string, cause?: unknown): AppError {
  return new AppError(
    'PROVIDER_UNAVAILABLE',
    'The identity provider cannot be reached right now. Please try again in a moment.',
    detail,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The client's federated token (`OIDC_CLIENT_ASSERTION_FILE`) as its client assertion. The
 * file is read again for every token request, as the projected token rotates (AKS
 * workload identity renews it every hour); a missing or empty file is a 503 `AppError`.
 */
export function federatedAssertion(path: string): client.ClientAuth {
  const auth = async (_as: client.ServerMetadata, metadata: client.ClientMetadata, body: URLSearchParams) => {
    let assertion: string;
    try {
      assertion = (await readFile(path, 'utf8')).trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw unavailable(`OIDC_CLIENT_ASSERTION_FILE: cannot read ${path} (${code})`);
    }
    if (assertion === '') throw unavailable(`OIDC_CLIENT_ASSERTION_FILE: file ${path} is empty`);
    body.set('client_id', metadata.client_id);
    body.set('client_assertion_type', JWT_BEARER_ASSERTION);
    body.set('client_assertion', assertion);
  };
  // openid-client awaits the ClientAuth (oauth4webapi types it `void | Promise<void>`).
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- see above: the promise is awaited
  return auth;
}

/** Entra ID wants the token endpoint as the assertion's audience; other providers get the issuer (RFC 7523bis). */
function isEntra(as: client.ServerMetadata): boolean {
  return new URL(as.issuer).hostname === 'login.microsoftonline.com';
}

/**
 * The client's private key (`OIDC_CLIENT_JWK_FILE`, checked by the loader) as openid-client's
 * `private_key_jwt`: it signs a fresh, short-lived assertion for every token request. The
 * header carries the JWK's `kid` and `alg`, and its `x5t` / `x5t#S256` when present (Entra ID
 * finds the certificate by its thumbprint). The key is imported as a non-extractable CryptoKey.
 */
export async function privateKeyJwt(path: string): Promise<client.ClientAuth> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new Error(`OIDC_CLIENT_JWK_FILE: cannot read ${path} (${reason})`, { cause: err });
  }
  const { alg, kid } = jwk;
  if (alg === undefined || kid === undefined) throw new Error(`OIDC_CLIENT_JWK_FILE: ${path} has no alg or kid`);
  const key = await importJWK(jwk, alg, { extractable: false });
  if (key instanceof Uint8Array) throw new Error(`OIDC_CLIENT_JWK_FILE: ${path} is not an asymmetric key`);
  const thumbprints = Object.fromEntries(
    (['x5t', 'x5t#S256'] as const).flatMap((name) => (typeof jwk[name] === 'string' ? [[name, jwk[name]]] : [])),
  );
  let audience: string | undefined;
  const sign = client.PrivateKeyJwt(
    { key, kid },
    {
      [client.modifyAssertion]: (header, payload) => {
        Object.assign(header, { alg }, thumbprints);
        if (audience !== undefined) payload.aud = audience;
      },
    },
  );
  return (as, metadata, body, headers) => {
    audience = isEntra(as) ? as.token_endpoint : undefined;
    // The ClientAuth is typed void but awaited: the signing promise must be returned.
    // eslint-disable-next-line @typescript-eslint/no-confusing-void-expression
    return sign(as, metadata, body, headers);
  };
}

/**
 * The one place that decides how the client authenticates at the token endpoint; every
 * grant on the discovered `Configuration` (code exchange, refresh, client credentials,
 * on-behalf-of, token exchange) uses it.
 */
export async function clientAuthentication(config: OidcConfig): Promise<ClientAuthentication> {
  const chosen = config.clientAuth;
  if (chosen.method === 'private_key_jwt') return { metadata: undefined, auth: await privateKeyJwt(chosen.jwkFile) };
  if (chosen.method === 'federated_assertion')
    return { metadata: undefined, auth: federatedAssertion(chosen.assertionFile) };
  return { metadata: config.clientSecret, auth: client.ClientSecretPost(config.clientSecret) };
}
