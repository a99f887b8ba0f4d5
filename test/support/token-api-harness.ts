import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { createTokenApiApp } from '../../src/token-api/create-token-api-app.js';
import { createOpenidGrants, type TokenExchangeGrant } from '../../src/token-api/grants.js';
import type { IntrospectToken } from '../../src/token-api/texas-routes.js';
import { TokenCache, type TokenCacheOptions } from '../../src/token-api/token-cache.js';
import { SERVICE_CLIENT } from './token-api-provider.js';

/** A stand-in for the service's bearer validator: jose against the provider's JWKS, with texas's error texts. */
export function jwksIntrospector(issuer: string, audience = SERVICE_CLIENT.id): IntrospectToken {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'], clockTolerance: 60 });
      return { active: true, claims: payload };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { active: false, error: 'invalid token: ExpiredSignature' };
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'aud')
        return { active: false, error: 'invalid token: InvalidAudience' };
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf')
        return { active: false, error: 'invalid token: ImmatureSignature' };
      if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
        return { active: false, error: 'invalid token header: InvalidToken' };
      return { active: false, error: 'token can not be validated with this identity provider' };
    }
  };
}

/** How a test posts a texas request. */
export type Encoding = 'json' | 'form';

/** A running token API on a free loopback port, wired to the test provider. */
export interface TokenApiUnderTest {
  readonly url: string;
  readonly port: number;
  readonly cache: TokenCache;
  /** POSTs `fields` to `path` as JSON or a form; returns status, headers and parsed JSON (or the raw text). */
  post(
    path: string,
    fields: Record<string, unknown>,
    encoding: Encoding,
  ): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

/** Starts the token API for `issuer`, listening on `host` (default 127.0.0.1). */
export async function startTokenApi(options: {
  issuer: string;
  exchangeGrant?: TokenExchangeGrant;
  clientSecret?: string;
  allowRemote?: boolean;
  host?: string;
  cache?: TokenCacheOptions;
}): Promise<TokenApiUnderTest> {
  const configuration = await client.discovery(
    new URL(options.issuer),
    SERVICE_CLIENT.id,
    options.clientSecret ?? SERVICE_CLIENT.secret,
    undefined,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the test provider serves http://
    { execute: [client.allowInsecureRequests] },
  );
  const cache = new TokenCache(options.cache);
  const app = createTokenApiApp({
    allowRemote: options.allowRemote ?? false,
    texas: {
      introspect: jwksIntrospector(options.issuer),
      grants: createOpenidGrants({ configuration: () => configuration, exchangeGrant: options.exchangeGrant ?? 'obo' }),
      cache,
    },
  });
  const server = http.createServer(app.handle);
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    cache,
    post: async (path, fields, encoding) => {
      const body =
        encoding === 'json'
          ? JSON.stringify(fields)
          : new URLSearchParams(
              Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
            ).toString();
      const type = encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
      const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: the test sees the text.
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
