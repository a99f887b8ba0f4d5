import type { Config } from '../../config/index.js';
import { templateReferences } from '../../config/header-templates.js';
import type { Session } from '../../session/session.js';

/** Seconds after a refresh (or the login) during which `POST /oauth2/session/refresh` does not refresh again. */
export const FORCED_REFRESH_COOLDOWN = 10;
/** Seconds a failed refresh (provider error, timeout) waits before the next try, shared by replicas. */
export const FAILED_REFRESH_COOLDOWN = 10;
/** How long the refresh lock is held at most: more than openid-client's 10 s token timeout. */
export const REFRESH_LOCK_TTL_MS = 15_000;
/** How long a request waits for another holder's refresh before it answers without it. */
export const REFRESH_WAIT_MS = 3_000;
/** How often a waiting request looks for the other holder's result. */
export const REFRESH_POLL_MS = 50;

/** True when a token reaches the app: `AUTHORIZATION_HEADER`, `ID_TOKEN_HEADER` or a `HEADERS` template reading one. */
export function forwardsTokens(config: Config): boolean {
  return (
    config.authorizationHeader !== undefined ||
    config.idTokenHeader !== undefined ||
    config.headers.some((h) =>
      templateReferences(h.value).some((reference) => reference === '.accessToken' || reference === '.idToken'),
    )
  );
}

/** Whether sessions are refreshed at all under `TOKEN_REFRESH` (`auto`: only when tokens are forwarded). */
export function refreshEnabled(config: Config): boolean {
  if (config.tokenRefresh === 'off') return false;
  return config.tokenRefresh === 'on' || forwardsTokens(config);
}

/**
 * When a session's tokens become due (Unix seconds), or undefined when they never do
 * (no refresh token, or the provider gave no expiry): `TOKEN_REFRESH_MARGIN` before
 * the access token expires, the margin at most half the token's lifetime.
 */
export function refreshDueAt(session: Session, margin: number): number | undefined {
  const expires = session.accessTokenExpiresAt;
  if (expires === undefined || session.refreshToken === undefined) return undefined;
  const lifetime = expires - (session.refreshedAt ?? session.createdAt);
  return expires - Math.max(0, Math.min(margin, Math.floor(lifetime / 2)));
}
