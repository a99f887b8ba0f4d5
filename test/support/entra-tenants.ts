import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** Two Entra-like tenant ids (GUIDs, as Entra's `tid`). */
export const T1 = '11111111-1111-4111-8111-111111111111';
export const T2 = '22222222-2222-4222-8222-222222222222';
/** Our API's client id: the audience of every token minted for it. */
export const API_CLIENT_ID = '0a0a0a0a-api0-4000-8000-000000000000';
/** Consumers: app-a is granted the app role, app-b is not, app-c is not in any policy. */
export const APP_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const APP_B = 'bbbbbbbb-0000-4000-8000-00000000000b';
export const APP_C = 'cccccccc-0000-4000-8000-00000000000c';
export const SECRET = 'consumer-secret-value-not-secret';
/** Resource that yields `aud: api://<API_CLIENT_ID>` (App ID URI audience). */
export const APP_ID_URI_RESOURCE = 'urn:test:app-id-uri';
export const USER_GRANT = 'urn:test:user-token';
export const ROLE = 'access_as_application';

/** Users known to both tenants; `groups` are Entra group object ids. */
export const USERS: Record<string, { oid: string; name: string; email: string; groups?: string[]; overage?: boolean }> =
  {
    alice: { oid: 'oid-alice', name: 'Alice Andersen', email: 'alice@example.test', groups: ['g-api-users'] },
    bob: { oid: 'oid-bob', name: 'Bob Berg', email: 'bob@example.test', groups: ['g-other'] },
    olga: { oid: 'oid-olga', name: 'Olga Overage', email: 'olga@example.test', overage: true },
  };

/** Two emulated Entra tenants on one loopback server, sharing one signing key. */
export interface EntraTenants {
  readonly origin: string;
  /** `<origin>/{tenantid}/v2.0`, the multi-tenant issuer template. */
  readonly issuerTemplate: string;
  issuer(tid: string): string;
  /** The tenant's own JWKS (oidc-provider's `/jwks`), keys without an `issuer` field. */
  jwksUri(tid: string): URL;
  /** An Entra-style common key set: the shared key scoped to `{tenantid}`, a second key scoped to T2 only. */
  readonly commonJwksUri: URL;
  /** JWKS requests served so far (all key-set paths). */
  jwksFetches(): number;
  /** The shared signing key, for tests that forge tokens the provider would sign. */
  readonly sharedKey: { readonly privateKey: CryptoKey; readonly kid: string };
  /** The key the common set scopes to T2 only. */
  readonly t2OnlyKey: { readonly privateKey: CryptoKey; readonly kid: string };
  /** A client-credentials token from a tenant, as Entra issues for `scope=<resource>/.default`. */
  appToken(tid: string, clientId: string, resource?: string): Promise<string>;
  /** A delegated (user) access token minted by the tenant for `clientId` acting for `username`. */
  userToken(tid: string, clientId: string, username: string, scope?: string): Promise<string>;
  /** Signs arbitrary claims with a key (default the shared one): negative and v1 tokens. */
  sign(
    claims: JWTPayload,
    options?: { key?: CryptoKey; kid?: string | null; typ?: string; alg?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

function tenantProvider(issuer: string, tid: string, jwks: { keys: JWK[] }): Provider {
  const clients = [API_CLIENT_ID, APP_A, APP_B, APP_C].map((id) => ({
    client_id: id,
    client_secret: SECRET,
    // As openid-client authenticates by default (the service's own client credentials, for Graph).
    token_endpoint_auth_method: 'client_secret_post' as const,
    grant_types: ['client_credentials', USER_GRANT],
    redirect_uris: [],
    response_types: [],
  }));
  const provider: Provider = new Provider(issuer, {
    jwks,
    clients,
    ttl: { ClientCredentials: 300, AccessToken: 300 },
    cookies: { keys: ['entra-tenants-test-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx) =>
          /^(\S+)\/\.default$/.exec(String(ctx.oidc.params?.scope ?? ''))?.[1] ?? `api://${API_CLIENT_ID}`,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => ({
          scope: 'access_as_user defaultaccess',
          audience:
            resource === `api://${API_CLIENT_ID}`
              ? API_CLIENT_ID
              : resource === APP_ID_URI_RESOURCE
                ? `api://${API_CLIENT_ID}`
                : resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
        }),
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      const t = token as unknown as { kind: string; clientId: string; accountId?: string; scope?: string };
      if (t.kind === 'ClientCredentials') {
        return {
          ver: '2.0',
          tid,
          azp: t.clientId,
          azpacr: '1',
          idtyp: 'app',
          oid: `oid-${t.clientId}`,
          ...(t.clientId === APP_A ? { roles: [ROLE] } : {}),
        };
      }
      const user = USERS[t.accountId ?? ''];
      return {
        ver: '2.0',
        tid,
        azp: t.clientId,
        azpacr: '1',
        idtyp: 'user',
        oid: user?.oid,
        scp: t.scope,
        name: user?.name,
        preferred_username: user?.email,
        ...(user?.groups ? { groups: user.groups } : {}),
        ...(user?.overage
          ? {
              _claim_names: { groups: 'src1' },
              _claim_sources: { src1: { endpoint: 'https://graph.invalid/getMemberObjects' } },
            }
          : {}),
      };
    },
  });
  provider.registerGrantType(
    USER_GRANT,
    async (ctx: KoaContextWithOIDC) => {
      const client = ctx.oidc.client!;
      const username = String(ctx.oidc.params?.username);
      const scope = String(ctx.oidc.params?.scope ?? 'access_as_user');
      const resource = `api://${API_CLIENT_ID}`;
      const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
      grant.addResourceScope(resource, scope);
      const grantId = await grant.save();
      const at = new provider.AccessToken({ accountId: username, client, grantId, gty: USER_GRANT, scope });
      at.resourceServer = new provider.ResourceServer(resource, {
        scope,
        audience: API_CLIENT_ID,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 300,
      });
      ctx.body = { access_token: await at.save(), token_type: 'Bearer', expires_in: at.expiration, scope };
    },
    ['username', 'scope'],
  );
  provider.on('server_error', () => undefined);
  return provider;
}

async function tokenRequest(url: string, clientId: string, body: Record<string, string>): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...body, client_id: clientId, client_secret: SECRET }),
  });
  const json = (await res.json()) as { access_token?: string };
  if (!res.ok || !json.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(json)}`);
  return json.access_token;
}

/** Starts the two tenants on a free loopback port. */
export async function startEntraTenants(): Promise<EntraTenants> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const shared = await generateKeyPair('RS256', { extractable: true });
  const t2Only = await generateKeyPair('RS256', { extractable: true });
  const sharedPrivate = { ...(await exportJWK(shared.privateKey)), kid: 'shared-key', use: 'sig', alg: 'RS256' };
  const common = {
    keys: [
      {
        ...(await exportJWK(shared.publicKey)),
        kid: 'shared-key',
        use: 'sig',
        alg: 'RS256',
        issuer: `${origin}/{tenantid}/v2.0`,
      },
      {
        ...(await exportJWK(t2Only.publicKey)),
        kid: 't2-only-key',
        use: 'sig',
        alg: 'RS256',
        issuer: `${origin}/${T2}/v2.0`,
      },
    ],
  };
  const providers = new Map(
    [T1, T2].map((tid) => [tid, tenantProvider(`${origin}/${tid}/v2.0`, tid, { keys: [sharedPrivate] })]),
  );
  const handlers = new Map([...providers].map(([tid, p]) => [tid, p.callback()]));
  let fetches = 0;
  server.on('request', (req: http.IncomingMessage & { originalUrl?: string }, res) => {
    const url = req.url ?? '/';
    if (url === '/common/discovery/v2.0/keys') {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(common));
      return;
    }
    const m = /^\/([^/]+)\/v2\.0(\/.*)?$/.exec(url);
    const handler = m ? handlers.get(m[1] ?? '') : undefined;
    if (!m || !handler) {
      res.writeHead(404).end();
      return;
    }
    if ((m[2] ?? '').startsWith('/jwks')) fetches += 1;
    req.originalUrl = url;
    req.url = m[2] ?? '/';
    void handler(req, res);
  });
  const issuer = (tid: string): string => `${origin}/${tid}/v2.0`;
  return {
    origin,
    issuerTemplate: `${origin}/{tenantid}/v2.0`,
    issuer,
    jwksUri: (tid) => new URL(`${issuer(tid)}/jwks`),
    commonJwksUri: new URL(`${origin}/common/discovery/v2.0/keys`),
    jwksFetches: () => fetches,
    sharedKey: { privateKey: shared.privateKey, kid: 'shared-key' },
    t2OnlyKey: { privateKey: t2Only.privateKey, kid: 't2-only-key' },
    appToken: (tid, clientId, resource = `api://${API_CLIENT_ID}`) =>
      tokenRequest(`${issuer(tid)}/token`, clientId, {
        grant_type: 'client_credentials',
        scope: `${resource}/.default`,
      }),
    userToken: (tid, clientId, username, scope = 'access_as_user') =>
      tokenRequest(`${issuer(tid)}/token`, clientId, { grant_type: USER_GRANT, username, scope }),
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({
          alg: options.alg ?? 'RS256',
          ...(options.kid === null ? {} : { kid: options.kid ?? 'shared-key' }),
          ...(options.typ ? { typ: options.typ } : {}),
        })
        .sign(options.key ?? shared.privateKey),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
