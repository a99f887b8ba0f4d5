import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata } from 'oidc-provider';
import { renderLoginPage } from './login-page.js';
import { SwitchableSigningKey, type SigningKeyChoice } from './signing-key.js';
import { DEV_USERS, type DevUser } from './test-users.js';

/** A client the development provider accepts. */
export interface DevClient {
  readonly clientId: string;
  /** The client's secret; omit for a client that authenticates with `private_key_jwt`. */
  readonly clientSecret?: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
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
  close(): Promise<void>;
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

/** The part of oidc-provider's client adapter used here (its typings do not expose `Client.adapter`). */
interface ClientStore {
  upsert(id: string, metadata: ClientMetadata, expiresIn: number): Promise<void>;
}

function clientMetadata(c: DevClient): ClientMetadata {
  return {
    client_id: c.clientId,
    ...(c.clientSecret !== undefined ? { client_secret: c.clientSecret } : {}),
    ...(c.tokenEndpointAuthMethod !== undefined ? { token_endpoint_auth_method: c.tokenEndpointAuthMethod } : {}),
    ...(c.jwks !== undefined ? { jwks: { keys: c.jwks.keys.map((k) => ({ ...k })) } } : {}),
    redirect_uris: [...c.redirectUris],
    post_logout_redirect_uris: [...(c.postLogoutRedirectUris ?? [])],
    grant_types: ['authorization_code', 'refresh_token', ...(c.clientCredentials ? ['client_credentials'] : [])],
    response_types: ['code'],
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
}): Promise<DevIdentityProvider> {
  const users = options.users ?? DEV_USERS;
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${options.host === 'localhost' ? 'localhost' : '127.0.0.1'}:${port}`;
  const signingKey = await SwitchableSigningKey.create(options.signingKey);
  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 86400,
      Grant: 86400,
      RefreshToken: 86400,
    },
    clients: options.clients.filter((c) => c.jwks === undefined).map(clientMetadata),
    claims: {
      openid: ['sub', 'sid'],
      profile: ['name', 'preferred_username', 'groups', 'roles', 'org'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    cookies: { keys: ['dev-provider-cookie-key-not-secret'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Lets the tests sign with a foreign key (see ./signing-key.ts).
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      rpInitiatedLogout: {
        enabled: options.rpInitiatedLogout ?? true,
        // Sign out without the confirmation form: development only.
        logoutSource: async (ctx, form) => {
          ctx.body = `<!doctype html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
        },
      },
    },
    findAccount: async (_ctx, sub) => {
      const user = users.find((u) => u.username === sub);
      return user ? { accountId: sub, claims: async () => ({ sub, ...user.claims }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  // Clients with keys go through the client store: oidc-provider copies static clients with
  // structuredClone, whose objects fail its own plain-object check on `jwks` under jest's vm.
  const clientStore = (provider.Client as unknown as { adapter: ClientStore }).adapter;
  for (const c of options.clients.filter((c) => c.jwks !== undefined))
    await clientStore.upsert(c.clientId, clientMetadata(c), 0);
  provider.on('server_error', () => undefined);
  const providerHandler = provider.callback();

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
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
          { login: { accountId: user.username }, consent: { grantId } },
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
    get signingKey() {
      return signingKey.signWith;
    },
    set signingKey(choice: SigningKeyChoice) {
      signingKey.signWith = choice;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
