import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';

/** Our service's client at the test provider. */
export const SERVICE_CLIENT = { id: 'token-api-service', secret: 'token-api-service-secret-not-secret' };
/** Downstream APIs the provider knows, as Entra-style `.default` targets, with their token lifetimes. */
export const TARGETS = { short: 'api://downstream-short', long: 'api://downstream-long' } as const;
const LIFETIMES: Record<string, number> = { [TARGETS.short]: 100, [TARGETS.long]: 3600 };

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** A real oidc-provider with client credentials, JWT access tokens per `.default` target, OBO and RFC 8693 grants. */
export interface TokenApiProvider {
  readonly issuer: string;
  readonly provider: Provider;
  /** Successful grants, by grant type, counted from `grant.success` events. */
  readonly grants: Record<string, number>;
  /** The next token request answers this instead of the provider (status, body, content type). */
  fault: { status: number; body: string; contentType: string } | undefined;
  /** A user access token (`aud` = our client id), issued by the provider itself. */
  userToken(sub: string, audience?: string): Promise<string>;
  /** Stops listening and drops connections: later calls fail in transport. */
  close(): Promise<void>;
}

function resourceOf(scope: string | undefined): string | undefined {
  return /^(api:\/\/\S+)\/\.default$/.exec(scope ?? '')?.[1];
}

function resourceServer(provider: Provider, resource: string): InstanceType<Provider['ResourceServer']> {
  const ttl = LIFETIMES[resource];
  if (ttl === undefined) throw new errors.InvalidTarget(`unknown target ${resource}`);
  return new provider.ResourceServer(resource, {
    scope: `${resource}/.default`,
    audience: resource,
    accessTokenFormat: 'jwt',
    accessTokenTTL: ttl,
  });
}

/** Starts the provider on a free loopback port. */
export async function startTokenApiProvider(): Promise<TokenApiProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1', use: 'sig', alg: 'RS256' }] },
    clients: [
      {
        client_id: SERVICE_CLIENT.id,
        client_secret: SERVICE_CLIENT.secret,
        grant_types: ['client_credentials', JWT_BEARER, TOKEN_EXCHANGE],
        redirect_uris: [],
        response_types: [],
      },
    ],
    ttl: { ClientCredentials: 100, AccessToken: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx) => resourceOf(ctx.oidc.params?.scope as string | undefined) ?? SERVICE_CLIENT.id,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource === SERVICE_CLIENT.id)
            return { scope: 'openid', audience: SERVICE_CLIENT.id, accessTokenFormat: 'jwt', accessTokenTTL: 600 };
          const rs = resourceServer(provider, resource);
          return {
            scope: rs.scope ?? '',
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: rs.accessTokenTTL,
          };
        },
      },
    },
  });
  const state: TokenApiProvider = {
    issuer,
    provider,
    grants: {},
    fault: undefined,
    userToken: async (sub, audience = SERVICE_CLIENT.id) => {
      const client = await provider.Client.find(SERVICE_CLIENT.id);
      if (!client) throw new Error('the service client is missing');
      const grant = new provider.Grant({ accountId: sub, clientId: SERVICE_CLIENT.id });
      const at = new provider.AccessToken({
        accountId: sub,
        client,
        grantId: await grant.save(),
        gty: 'authorization_code',
        scope: 'openid',
      });
      at.resourceServer = new provider.ResourceServer(audience, {
        scope: 'openid',
        audience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 600,
      });
      return at.save();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  /** Issues a JWT for the target in `scopeOrAudience` on behalf of the subject of a valid user token. */
  const onBehalfOf = async (
    ctx: { oidc: KoaContextWithOIDC['oidc']; body?: unknown },
    userToken: unknown,
    target: string | undefined,
    gty: string,
  ) => {
    if (typeof userToken !== 'string' || userToken === '')
      throw new errors.InvalidRequest('missing or empty assertion parameter');
    let sub: string;
    try {
      ({
        payload: { sub = '' },
      } = await jwtVerify(userToken, keys, { issuer, audience: SERVICE_CLIENT.id, typ: 'at+jwt' }));
    } catch {
      throw new errors.InvalidGrant('the user token is not valid');
    }
    if (target === undefined) throw new errors.InvalidTarget('no target');
    const client = ctx.oidc.client!;
    const grant = new provider.Grant({ accountId: sub, clientId: client.clientId });
    grant.addResourceScope(target, `${target}/.default`);
    const at = new provider.AccessToken({
      accountId: sub,
      client,
      grantId: await grant.save(),
      gty,
      scope: `${target}/.default`,
    });
    at.resourceServer = resourceServer(provider, target);
    ctx.body = { access_token: await at.save(), token_type: 'Bearer', expires_in: at.expiration, scope: at.scope };
  };
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      if (ctx.oidc.params?.requested_token_use !== 'on_behalf_of')
        throw new errors.InvalidRequest('requested_token_use must be on_behalf_of');
      await onBehalfOf(ctx, ctx.oidc.params.assertion, resourceOf(ctx.oidc.params.scope), 'on_behalf_of');
    },
    ['assertion', 'requested_token_use', 'scope'],
  );
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const params = ctx.oidc.params ?? {};
      if (params.subject_token_type !== 'urn:ietf:params:oauth:token-type:access_token')
        throw new errors.InvalidRequest('unsupported subject_token_type');
      await onBehalfOf(ctx, params.subject_token, params.audience as string | undefined, 'token_exchange');
      ctx.body = { ...(ctx.body as object), issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' };
    },
    ['subject_token', 'subject_token_type', 'audience', 'requested_token_type'],
    ['audience'],
  );

  provider.use(async (ctx, next) => {
    const fault = state.fault;
    if (fault && ctx.method === 'POST' && ctx.path === '/token') {
      state.fault = undefined;
      ctx.status = fault.status;
      ctx.type = fault.contentType;
      ctx.body = fault.body;
      return;
    }
    await next();
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const type = String(ctx.oidc.params?.grant_type);
    state.grants[type] = (state.grants[type] ?? 0) + 1;
  });
  provider.on('server_error', () => undefined);
  const handle = provider.callback();
  // Koa answers its own errors (ctx.onerror): the promise it returns does not reject.
  server.on('request', (req, res) => void handle(req, res));
  return state;
}
