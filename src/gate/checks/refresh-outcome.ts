import * as client from 'openid-client';
import { isAppError } from '../../errors/app-error.js';

/**
 * Token endpoint errors that mean the user must sign in again: the grant is gone or the
 * provider wants an interaction (Entra Conditional Access, MFA, consent). Anything else
 * is treated as transient, so a provider hiccup never logs everyone out.
 */
export const ENDING_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'interaction_required',
  'login_required',
  'consent_required',
]);

/** Errors that point at our own client registration (an expired secret): transient for the session, logged at error. */
const CLIENT_ERRORS: ReadonlySet<string> = new Set(['invalid_client', 'unauthorized_client']);

/** What a failed refresh means for the session, and what to log (never a token). */
export interface RefreshFailure {
  /** `ended`: the provider refused; `rejected`: its answer failed validation; `failed`: try again later. */
  readonly outcome: 'ended' | 'rejected' | 'failed';
  /** The OAuth error code, or our error code. */
  readonly error: string;
  /** Why, for the log: the provider's description or the failed check. */
  readonly reason: string | undefined;
  readonly level: 'warn' | 'error';
}

/** Classifies what `OidcClient.refresh` (or the store) threw. */
export function classifyRefreshFailure(err: unknown): RefreshFailure {
  const code = isAppError(err) ? err.code : 'INTERNAL';
  const reason = isAppError(err) ? err.detail : (err as Error | undefined)?.message;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof client.ResponseBodyError) {
    if (ENDING_ERRORS.has(cause.error)) return { outcome: 'ended', error: cause.error, reason, level: 'warn' };
    return { outcome: 'failed', error: cause.error, reason, level: CLIENT_ERRORS.has(cause.error) ? 'error' : 'warn' };
  }
  if (code === 'TOKEN_INVALID') return { outcome: 'rejected', error: code, reason, level: 'warn' };
  return { outcome: 'failed', error: code, reason, level: code === 'INTERNAL' ? 'error' : 'warn' };
}
