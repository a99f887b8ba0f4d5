/** The `prompt` values a login may ask the provider for; any other value is dropped. */
export const LOGIN_PROMPTS = ['login', 'select_account', 'consent'] as const;

/** Longest `login_hint` / `domain_hint` passed on; a longer value is dropped. */
export const MAX_HINT_LENGTH = 256;

/**
 * Optional authorization request parameters a login passes to the provider, taken
 * from the query of `LOGIN_PATH` (OpenID Connect Core 3.1.2.1; `domain_hint` is Entra ID's).
 */
export interface LoginHints {
  /** `login` (sign in again), `select_account` (choose another account) or `consent`. */
  readonly prompt?: (typeof LOGIN_PROMPTS)[number];
  /** The account the user is expected to sign in with, e.g. an email address. */
  readonly login_hint?: string;
  /** The user's home realm (Entra ID: the tenant's domain), skipping the account picker. */
  readonly domain_hint?: string;
}

/** A hint value worth passing on: present, at most `MAX_HINT_LENGTH` characters, no control characters. */
function hint(value: string | null): string | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > MAX_HINT_LENGTH || /\p{Cc}/u.test(trimmed)) return undefined;
  return trimmed;
}

/**
 * Reads the login hints from a login request's query. Values that are not allowed are
 * dropped silently: the login still starts, as the provider would ignore them anyway.
 */
export function loginHints(params: URLSearchParams): LoginHints {
  const prompt = params.get('prompt');
  const loginHint = hint(params.get('login_hint'));
  const domainHint = hint(params.get('domain_hint'));
  return {
    ...(LOGIN_PROMPTS.includes(prompt as never) ? { prompt: prompt as LoginHints['prompt'] } : {}),
    ...(loginHint !== undefined ? { login_hint: loginHint } : {}),
    ...(domainHint !== undefined ? { domain_hint: domainHint } : {}),
  };
}
