import { defineSection, v } from '../declare.js';

/** `TOKEN_REFRESH`: when sessions' tokens are refreshed before the access token expires. */
export type TokenRefreshMode = 'auto' | 'on' | 'off';

/** Token refresh. See docs/configuration.md#token_refresh and docs/security.md#token-refresh. */
export interface RefreshConfig {
  /**
   * `TOKEN_REFRESH`: `auto` (default) refreshes when the session has a refresh token and a
   * token is forwarded to the app (`AUTHORIZATION_HEADER`, `ID_TOKEN_HEADER`, or a `HEADERS`
   * template reading `.accessToken` / `.idToken`); `on` whenever there is a refresh token; `off` never.
   */
  readonly tokenRefresh: TokenRefreshMode;
  /**
   * `TOKEN_REFRESH_MARGIN`: seconds before the access token expires at which a request
   * refreshes it. Default 300; clamped to half the token's lifetime; must exceed `SESSION_CACHE_TTL`.
   */
  readonly tokenRefreshMargin: number;
}

/** `TOKEN_REFRESH*`: refreshing a session's tokens before the access token expires. */
export const refreshSection = defineSection({
  name: 'refresh',
  variables: {
    tokenRefresh: v.oneOf('TOKEN_REFRESH', ['auto', 'on', 'off'] as const, 'auto', {
      doc: 'auto: refresh when a refresh token exists and a token is forwarded to the app; on: whenever a refresh token exists; off: never.',
    }),
    tokenRefreshMargin: v.integer('TOKEN_REFRESH_MARGIN', 300, 1, 86400, {
      doc: 'Seconds before access-token expiry at which a request refreshes it; at most half the token lifetime; more than SESSION_CACHE_TTL.',
    }),
  },
  build(values): RefreshConfig {
    return values;
  },
});
