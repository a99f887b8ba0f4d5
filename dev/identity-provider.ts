import http from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Provider, { errors, interactionPolicy, type ClientMetadata } from 'oidc-provider';
import { readForm, renderLoginPage } from './login-page.js';
import { SwitchableSigningKey, type SigningKeyChoice } from './signing-key.js';
import { DEV_USERS, type DevUser } from './test-users.js';

/** A client the development provider accepts. */
export interface DevClient {
  readonly clientId: string;
  /** The client's secret; omit for a client that authenticates with `private_key_jwt`. */
  readonly clientSecret?: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  /** `backchannel_logout_uri`: where the provider POSTs logout tokens (session required, so id_tokens carry `sid`). */
  readonly backchannelLogoutUri?: string;
  /** `private_key_jwt` with the public keys in `jwks`; default `client_secret_basic`/`_post` with the secret. */
  readonly tokenEndpointAuthMethod?: 'private_key_jwt';
  /** The client's public keys, which verify its `private_key_jwt` assertions. */
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
  /** Also allow the client credentials grant. Default false. */
  readonly clientCredentials?: boolean;
}

/** A running development provider (npm `oidc-provider`) on a loopback port. */
export interface DevIdentityProvider {
  readonly issuer: string;
  readonly provider: Provider;
  /**
   * Which key signs the tokens from now on (tests only): `'foreign'` signs id_tokens
   * with a key that jwks_uri does not publish, under the published `kid`.
   */
  signingKey: SigningKeyChoice;
  /** Tests only: while set, `POST /token` answers this status and JSON body instead (Entra-style errors, outages). */
  tokenFault: { readonly status: number; readonly body: Record<string, unknown> } | undefined;
  /** Tests only: the private key behind the published `kid` (`dev-key`, RS256), to sign hand-made tokens. */
  readonly privateKey: KeyObject;
  /** Tests only: HTML pages served at these paths on the provider's origin (say, its page framing an RP's logout URL). */
  readonly pages: Map<string, string>;
  close(): Promise<void>;
}

/** The part of oidc-provider's client adapter used here (its typings do not expose `Client.adapter`). */
interface ClientStore {
  upsert(id: string, metadata: ClientMetadata, expiresIn: number): Promise<void>;
}

function clientMetadata(c: DevClient, machine = false): ClientMetadata {
  return {
    client_id: c.clientId,
    ...(c.clientSecret !== undefined ? { client_secret: c.clientSecret } : {}),
    ...(c.tokenEndpointAuthMethod !== undefined ? { token_endpoint_auth_method: c.tokenEndpointAuthMethod } : {}),
    ...(c.jwks !== undefined ? { jwks: { keys: c.jwks.keys.map((k) => ({ ...k })) } } : {}),
    redirect_uris: [...c.redirectUris],
    post_logout_redirect_uris: [...(c.postLogoutRedirectUris ?? [])],
    grant_types: [
      'authorization_code',
      'refresh_token',
      ...(c.clientCredentials || machine ? ['client_credentials'] : []),
    ],
    response_types: ['code'],
    ...(c.backchannelLogoutUri
      ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
  };
}

/**
 * Starts a real OpenID provider for development, tests and the benchmark, with
 * its own login page listing the test users. Never for production: `npm run demo`
 * refuses to start it when a real provider is configured.
 */
export async function startDevIdentityProvider(options: {
  clients: readonly DevClient[];
  port?: number;
  host?: string;
  users?: readonly DevUser[];
  /** Advertise an end_session_endpoint (RP-initiated logout). Default true. */
  rpInitiatedLogout?: boolean;
  /** Tests only: `'foreign'` signs tokens with a key jwks_uri does not publish. Default `'published'`. */
  signingKey?: SigningKeyChoice;
  /** Access-token lifetime in seconds (the demo shortens it to show refresh). Default 3600. */
  accessTokenTtl?: number;
  /** Issue a new refresh token at every refresh; reusing an old one then revokes the grant. Default false. */
  rotateRefreshToken?: boolean;
  /**
   * Machine tokens for the token API demo: the clients may use client credentials, and
   * `scope=api://<name>/.default` for a listed resource gives a JWT access token with that audience.
   * Default none (client credentials off, access tokens opaque).
   */
  machineResources?: readonly string[];
}): Promise<DevIdentityProvider> {
  const machine = options.machineResources ?? [];
  const users = options.users ?? DEV_USERS;
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${options.host === 'localhost' ? 'localhost' : '127.0.0.1'}:${port}`;
  const signingKey = await SwitchableSigningKey.create(options.signingKey);
  // Entra ID's `prompt=select_account`, shown here as the login page (the account picker).
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);
  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 86400,
      Grant: 86400,
      RefreshToken: 86400,
      ClientCredentials: 3600,
    },
    clients: options.clients.filter((c) => c.jwks === undefined).map((c) => clientMetadata(c, machine.length > 0)),
    // oidc-provider refuses to POST logout tokens to loopback addresses through its own
    // dispatcher (SSRF guard); the development provider only ever talks to local RPs.
    fetch: (url, init) => {
      const { dispatcher: _dispatcher, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    claims: {
      openid: ['sub', 'sid'],
      profile: ['name', 'preferred_username', 'groups', 'roles', 'org'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    // Refresh tokens without `offline_access` (which oidc-provider drops unless prompt=consent).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: options.rotateRefreshToken ?? false,
    cookies: { keys: ['dev-provider-cookie-key-not-secret'] },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: machine.length > 0,
        defaultResource: async (ctx) =>
          /^(api:\/\/\S+)\/\.default$/.exec(String(ctx.oidc.params?.scope ?? ''))?.[1] ?? undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (!machine.includes(resource)) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          return { scope: `${resource}/.default`, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 3600 };
        },
      },
      // Lets the tests sign with a foreign key (see ./signing-key.ts).
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      rpInitiatedLogout: {
        enabled: options.rpInitiatedLogout ?? true,
        // Sign out without the confirmation form (development only), and with `logout=yes`:
        // the provider session really ends and every client gets its back-channel logout.
        logoutSource: async (ctx, form) => {
          const confirmed = form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>');
          ctx.body = `<!doctype html><html><body>${confirmed}<script>document.forms[0].submit()</script></body></html>`;
        },
      },
    },
    findAccount: async (_ctx, sub) => {
      const user = users.find((u) => u.username === sub);
      return user ? { accountId: sub, claims: async () => ({ sub, ...user.claims }) } : undefined;
    },
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  // Clients with keys go through the client store: oidc-provider copies static clients with
  // structuredClone, whose objects fail its own plain-object check on `jwks` under jest's vm.
  const clientStore = (provider.Client as unknown as { adapter: ClientStore }).adapter;
  for (const c of options.clients.filter((c) => c.jwks !== undefined))
    await clientStore.upsert(c.clientId, clientMetadata(c, machine.length > 0), 0);
  provider.on('server_error', () => undefined);
  const providerHandler = provider.callback();

  let tokenFault: DevIdentityProvider['tokenFault'];
  const pages = new Map<string, string>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const page = req.method === 'GET' ? pages.get(req.url ?? '') : undefined;
    if (page !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(page);
      return;
    }
    if (tokenFault !== undefined && req.method === 'POST' && req.url === '/token') {
      res.writeHead(tokenFault.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(tokenFault.body));
      return;
    }
    const match = /^\/interaction\/([\w-]+)$/.exec(req.url ?? '');
    if (!match) {
      void providerHandler(req, res);
      return;
    }
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (req.method === 'GET') {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
          res.end(renderLoginPage(details.uid, users, undefined));
          return;
        }
        const form = await readForm(req);
        const user = users.find((u) => u.username === form.get('username') && u.password === form.get('password'));
        if (!user) {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
          res.end(renderLoginPage(details.uid, users, 'Wrong username or password.'));
          return;
        }
        const grant = new provider.Grant({ accountId: user.username, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope ?? 'openid'));
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { select_account: {}, login: { accountId: user.username }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      } catch (err) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(`interaction failed: ${(err as Error).message}`);
      }
    })();
  });

  return {
    issuer,
    provider,
    privateKey: signingKey.privateKey(),
    pages,
    get signingKey() {
      return signingKey.signWith;
    },
    set signingKey(choice: SigningKeyChoice) {
      signingKey.signWith = choice;
    },
    get tokenFault() {
      return tokenFault;
    },
    set tokenFault(fault) {
      tokenFault = fault;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
