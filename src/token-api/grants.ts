import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { isAppError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import type { ProviderToken } from './token-cache.js';
import { serverError, TokenApiError } from './token-api-error.js';

/** How `/api/v1/token/exchange` asks the provider: Entra's on-behalf-of, or RFC 8693 token exchange. */
export type TokenExchangeGrant = 'obo' | 'rfc8693';

/** The grant type of Entra's on-behalf-of flow (RFC 7523 JWT bearer with `requested_token_use=on_behalf_of`). */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The RFC 8693 token exchange grant type. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 token type of an access token, for `subject_token_type` and `requested_token_type`. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** A client-credentials request as the provider gets it. */
export interface ClientCredentialsParams {
  readonly target: string;
  readonly resource?: string | undefined;
  readonly authorizationDetails?: string | undefined;
}

/** An exchange request as the provider gets it. */
export interface ExchangeParams {
  readonly target: string;
  readonly userToken: string;
}

/** The provider calls behind `/api/v1/token` and `/api/v1/token/exchange`. Both reject with `TokenApiError`. */
export interface TokenGrants {
  /** Client credentials: `scope=<target>` (Entra: `api://…/.default`), plus `resource` and `authorization_details` when given. */
  clientCredentials(params: ClientCredentialsParams): Promise<ProviderToken>;
  /** On-behalf-of or RFC 8693 token exchange of the user's token, per `TOKEN_EXCHANGE_GRANT`. */
  exchange(params: ExchangeParams): Promise<ProviderToken>;
}

/** What `createOpenidGrants` needs. */
export interface OpenidGrantsOptions {
  /** The discovered client configuration (openid-client v6), or undefined while discovery has not succeeded. */
  readonly configuration: () => client.Configuration | undefined;
  /** `TOKEN_EXCHANGE_GRANT`. */
  readonly exchangeGrant: TokenExchangeGrant;
  /** Where provider errors are logged (with Entra's `error_codes`, never a token). */
  readonly logger?: Logger;
}

/** The token grants on openid-client v6, with the service's own client and its client authentication. */
export function createOpenidGrants(options: OpenidGrantsOptions): TokenGrants {
  const run = async (
    grant: string,
    call: (config: client.Configuration) => Promise<client.TokenEndpointResponse>,
  ): Promise<ProviderToken> => {
    const config = options.configuration();
    if (!config) throw serverError('Upstream request failed: the identity provider metadata is not loaded yet');
    let response: client.TokenEndpointResponse;
    try {
      response = await call(config);
    } catch (err) {
      const apiError = await toTokenApiError(err);
      const details = err instanceof client.ResponseBodyError ? err.cause : undefined;
      options.logger?.warn(
        {
          event: 'token_api_provider_error',
          grant,
          status: apiError.status,
          error: apiError.error,
          errorCodes: details?.error_codes,
          providerTraceId: details?.trace_id,
        },
        'the identity provider refused a token request',
      );
      throw apiError;
    }
    return toProviderToken(response);
  };
  return {
    clientCredentials: (p) =>
      run('client_credentials', (config) =>
        client.clientCredentialsGrant(config, {
          scope: p.target,
          ...(p.resource !== undefined ? { resource: p.resource } : {}),
          ...(p.authorizationDetails !== undefined ? { authorization_details: p.authorizationDetails } : {}),
        }),
      ),
    exchange: (p) =>
      options.exchangeGrant === 'obo'
        ? run('on_behalf_of', (config) =>
            client.genericGrantRequest(config, JWT_BEARER_GRANT, {
              assertion: p.userToken,
              requested_token_use: 'on_behalf_of',
              scope: p.target,
            }),
          )
        : run('token_exchange', (config) =>
            client.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, {
              subject_token: p.userToken,
              subject_token_type: ACCESS_TOKEN_TYPE,
              requested_token_type: ACCESS_TOKEN_TYPE,
              audience: p.target,
            }),
          ),
  };
}

/** A token response as a `ProviderToken`; `expires_in` falls back to a JWT's `exp`. */
function toProviderToken(response: client.TokenEndpointResponse): ProviderToken {
  if (response.token_type !== 'bearer')
    throw serverError(
      `invalid token response from the identity provider: token_type "${response.token_type}" is not Bearer`,
    );
  let expiresIn = response.expires_in;
  if (expiresIn === undefined) {
    try {
      const { exp } = decodeJwt(response.access_token);
      if (typeof exp === 'number') expiresIn = Math.max(0, exp - Math.floor(Date.now() / 1000));
    } catch {
      // An opaque token without expires_in: nothing tells how long it lives.
    }
  }
  if (expiresIn === undefined) throw serverError('invalid token response from the identity provider: no expires_in');
  return { accessToken: response.access_token, expiresIn };
}

/**
 * Maps a failed provider call to the answer texas gives: the provider's own
 * OAuth error with its status, only `error` and `error_description` kept;
 * anything else (no answer, an answer that is not an OAuth response) is a 500 `server_error`.
 */
export async function toTokenApiError(err: unknown): Promise<TokenApiError> {
  if (err instanceof TokenApiError) return err;
  // What the client authentication threw (an unreadable OIDC_CLIENT_ASSERTION_FILE), wrapped by openid-client.
  const own = (err as { cause?: unknown }).cause;
  if (isAppError(own)) return serverError(`Upstream request failed: ${own.detail ?? own.message}`);
  if (err instanceof client.ResponseBodyError) return passThrough(err.status, err.error, err.error_description);
  const response = (err as { response?: unknown }).response ?? (err as { cause?: unknown }).cause;
  const message = err instanceof Error ? err.message : String(err);
  if (response instanceof Response) {
    if (response.status >= 400) {
      try {
        const body = (await response.clone().json()) as Record<string, unknown>;
        if (typeof body.error === 'string' && body.error !== '') {
          return passThrough(
            response.status,
            body.error,
            typeof body.error_description === 'string' ? body.error_description : undefined,
          );
        }
      } catch {
        // Not JSON: fall through to server_error.
      }
    }
    return serverError(`invalid response from the identity provider (HTTP ${response.status}): ${message}`);
  }
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return serverError(`Upstream request failed: ${message}${typeof code === 'string' ? ` (${code})` : ''}`);
}

function passThrough(status: number, error: string, description: string | undefined): TokenApiError {
  return new TokenApiError(status, error, description ?? `the identity provider answered ${error}`);
}
