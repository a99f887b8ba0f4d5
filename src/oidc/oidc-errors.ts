import * as client from 'openid-client';
import { AppError } from '../errors/app-error.js';

function statusOf(err: unknown): number | undefined {
  if (err instanceof client.ResponseBodyError) return err.status;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Response ? cause.status : undefined;
}

function isNetworkFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TypeError) return true;
    const name = (e as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|UND_ERR_)/.test(code)) return true;
  }
  return false;
}

/**
 * Turns what openid-client throws during the code exchange into one of our coded
 * errors. The provider's own error code is kept for the log, never its tokens.
 */
export function classifyProviderError(err: unknown, operation: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    return new AppError('PROVIDER_DENIED', `The sign-in was not completed: the identity provider answered "${err.error}".`, `authorization response error ${err.error}`);
  }
  const status = statusOf(err);
  if (isNetworkFailure(err) || (status !== undefined && status >= 500)) {
    return new AppError('PROVIDER_UNAVAILABLE', 'The identity provider cannot be reached right now. Please try again in a moment.', `${operation}: provider unreachable${status ? ` (HTTP ${status})` : ''}`, { cause: err });
  }
  if (err instanceof client.ResponseBodyError) {
    return new AppError('CODE_REJECTED', 'The identity provider rejected this sign-in (the link may have been used already). Please sign in again.', `${operation}: ${err.error}`);
  }
  const code = (err as { code?: string }).code ?? 'unknown';
  return new AppError('TOKEN_INVALID', 'The identity provider’s answer could not be verified. Please sign in again.', `${operation}: ${code}: ${(err as Error).message}`);
}
