import * as client from 'openid-client';
import type { Config } from '../config/index.js';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { LoginHints } from './login-hints.js';
import { clientAuthentication } from './client-auth.js';
import { classifyProviderError } from './oidc-errors.js';
import { refreshedIdTokenProblem } from './refreshed-id-token.js';

/** The result of a successful code exchange: validated claims and the tokens. */
export interface TokenSet {
  readonly claims: Record<string, unknown>;
  readonly idToken: string;
  readonly accessToken: string | undefined;
  readonly refreshToken: string | undefined;
  /** Unix seconds, when the provider gave `expires_in`. */
  readonly accessTokenExpiresAt: number | undefined;
}

/** The result of a refresh: new tokens; `idToken` and `claims` only when the provider sent a new id_token. */
export interface RefreshedTokens {
  readonly claims: Record<string, unknown> | undefined;
  readonly idToken: string | undefined;
  readonly accessToken: string | undefined;
  /** The rotated refresh token, or undefined when the provider kept the old one. */
  readonly refreshToken: string | undefined;
  readonly accessTokenExpiresAt: number | undefined;
}

/** Claim names the provider moved out of the token (`_claim_names`, as Entra ID does on groups overage). */
export function overageClaims(claims: Readonly<Record<string, unknown>>): string[] {
  const names = claims._claim_names;
  return typeof names === 'object' && names !== null ? Object.keys(names) : [];
}

/** Parameters of a new login: random values created per login. */
export interface LoginChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/**
 * The relying party, as openid-client intends it: discovery once, then the
 * authorization code grant with PKCE, state and nonce. Discovery that fails at
 * start is retried in the background; until then logins answer 503.
 */
export class OidcClient {
  private configuration: client.Configuration | undefined;
  private starting: Promise<void> | undefined;
  readonly redirectUri: string;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {
    this.redirectUri = `${config.publicScheme}://${config.domain}${config.callbackPath}`;
  }

  /** The discovered client configuration (metadata and client authentication), or undefined until discovery succeeds. */
  get discovered(): client.Configuration | undefined {
    return this.configuration;
  }

  /** True once the provider's metadata is loaded. */
  get ready(): boolean {
    return this.configuration !== undefined;
  }

  /** Loads the provider metadata; resolves when loaded, retrying with backoff until `stop()`. */
  start(): Promise<void> {
    this.starting ??= this.discoverWithRetry();
    return this.starting;
  }

  private stopped = false;
  stop(): void {
    this.stopped = true;
  }

  private async discoverWithRetry(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.discover();
        return;
      } catch (err) {
        const delay = Math.min(500 * 2 ** attempt, 15000);
        this.logger.error(
          { err: { message: (err as Error).message }, issuer: this.config.issuerUrl.href, retryInMs: delay },
          'provider discovery failed',
        );
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  private async discover(): Promise<void> {
    const end = this.metrics?.providerSeconds.startTimer({ operation: 'discovery' });
    try {
      const { metadata, auth } = await clientAuthentication(this.config);
      this.configuration = await client.discovery(this.config.issuerUrl, this.config.clientId, metadata, auth, {
        timeout: 10,
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- only with OIDC_ALLOW_INSECURE_HTTP (development, tests)
        ...(this.config.allowInsecureHttp ? { execute: [client.allowInsecureRequests] } : {}),
      });
      this.configuration.timeout = 10;
      // openid-client v6 checks an id_token's claims but not its signature when it comes
      // from the token endpoint over TLS. This makes every grant on this configuration
      // (code exchange, refresh) verify it against the provider's jwks_uri as well.
      client.enableNonRepudiationChecks(this.configuration);
      this.logger.info({ issuer: this.configuration.serverMetadata().issuer }, 'provider metadata loaded');
    } finally {
      end?.();
    }
  }

  private get current(): client.Configuration {
    if (!this.configuration) {
      throw new AppError(
        'PROVIDER_UNAVAILABLE',
        'The identity provider cannot be reached right now. Please try again in a moment.',
        'provider metadata not loaded yet',
      );
    }
    return this.configuration;
  }

  /** The provider's discovered metadata (issuer, jwks_uri, …); 503 until discovery succeeded. */
  metadata(): client.ServerMetadata {
    return this.current.serverMetadata();
  }

  /** A token for another resource by client credentials (`scope` such as `https://graph.microsoft.com/.default`). */
  async clientCredentials(scope: string): Promise<{ token: string; expiresAt: number }> {
    const end = this.metrics?.providerSeconds.startTimer({ operation: 'client_credentials' });
    try {
      const response = await client.clientCredentialsGrant(this.current, { scope });
      const expiresIn = response.expiresIn() ?? 300;
      return { token: response.access_token, expiresAt: Math.floor(Date.now() / 1000) + expiresIn };
    } finally {
      end?.();
    }
  }

  /** Fresh state, nonce and PKCE verifier for one login. */
  static newChecks(): LoginChecks {
    return { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
  }

  /** The provider's authorization URL for this login, with the login's optional `hints` (prompt, login_hint, domain_hint). */
  async authorizationUrl(checks: LoginChecks, hints: LoginHints = {}): Promise<URL> {
    const configuration = this.current;
    return client.buildAuthorizationUrl(configuration, {
      ...hints,
      redirect_uri: this.redirectUri,
      scope: this.config.scopes.join(' '),
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Exchanges the code in the callback's query and validates the id_token: its
   * signature against the provider's jwks_uri keys (openid-client's non-repudiation
   * check, enabled at discovery), and iss, aud, exp and nonce. Any failure throws an
   * `AppError` whose `detail` says why (never the token).
   */
  async exchange(callbackQuery: string, checks: LoginChecks): Promise<TokenSet> {
    const configuration = this.current;
    const currentUrl = new URL(`${this.redirectUri}${callbackQuery}`);
    const end = this.metrics?.providerSeconds.startTimer({ operation: 'token' });
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token)
        throw new AppError(
          'TOKEN_INVALID',
          'The identity provider sent no identity. Please sign in again.',
          'no id_token',
        );
      const overage = overageClaims(claims);
      if (overage.length > 0) {
        // Entra ID leaves out `groups` when a user is in too many (over 200); rules on it then fail.
        this.logger.warn(
          { event: 'claims_overage', claims: overage, sub: claims.sub },
          'the provider left out claims (Entra groups overage); assertClaims on them will fail: emit app roles or groups assigned to the application instead',
        );
      }
      const expiresIn = tokens.expiresIn();
      return {
        claims: { ...claims },
        idToken: tokens.id_token,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        accessTokenExpiresAt: expiresIn === undefined ? undefined : Math.floor(Date.now() / 1000) + expiresIn,
      };
    } catch (err) {
      throw classifyProviderError(err, 'token');
    } finally {
      end?.();
    }
  }

  /**
   * Redeems a refresh token (openid-client `refreshTokenGrant`, without `scope`, so
   * Entra keeps the login's resource). A returned id_token is verified like the
   * login's (signature against jwks_uri, iss, aud, exp) and then compared with the
   * stored claims per OIDC Core 12.2; a mismatch throws `TOKEN_INVALID`. Provider
   * errors are classified as for the code exchange, the OAuth error kept as `cause`.
   */
  async refresh(refreshToken: string, storedClaims: Readonly<Record<string, unknown>>): Promise<RefreshedTokens> {
    const configuration = this.current;
    const end = this.metrics?.providerSeconds.startTimer({ operation: 'refresh' });
    try {
      const tokens = await client.refreshTokenGrant(configuration, refreshToken);
      const claims = tokens.id_token ? tokens.claims() : undefined;
      if (claims !== undefined) {
        const problem = refreshedIdTokenProblem(storedClaims, claims);
        if (problem !== undefined)
          throw new AppError(
            'TOKEN_INVALID',
            'Your sign-in could not be renewed. Please sign in again.',
            `refresh: ${problem}`,
          );
      }
      const expiresIn = tokens.expiresIn();
      return {
        claims: claims === undefined ? undefined : { ...claims },
        idToken: tokens.id_token,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        accessTokenExpiresAt: expiresIn === undefined ? undefined : Math.floor(Date.now() / 1000) + expiresIn,
      };
    } catch (err) {
      throw classifyProviderError(err, 'refresh');
    } finally {
      end?.();
    }
  }

  /** Where to send the browser to end the provider's session, or undefined when it has no end_session_endpoint. */
  endSessionUrl(idTokenHint: string | undefined): URL | undefined {
    const configuration = this.configuration;
    if (!configuration?.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(configuration, {
      post_logout_redirect_uri: this.config.postLogoutRedirectUri,
      client_id: this.config.clientId,
      ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
    });
  }
}
