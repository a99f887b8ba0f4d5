import type { TokenApiError } from './token-api-error.js';
import { invalidRequest } from './token-api-error.js';

/** The `identity_provider` names texas knows, in the order its errors list them. `azuread` is an alias of `entra_id`. */
export const IDENTITY_PROVIDER_NAMES = ['azuread', 'entra_id', 'tokenx', 'maskinporten', 'idporten'] as const;

/** A canonical identity provider name (texas prints `entra_id` for `azuread`). Only `entra_id` is served here. */
export type IdentityProviderName = 'entra_id' | 'tokenx' | 'maskinporten' | 'idporten';

/** How the body was encoded; decides the wording of parse errors, as texas words them. */
export type BodyEncoding = 'json' | 'form';

/** `POST /api/v1/token`: a machine token for `target` (client credentials). */
export interface TokenRequest {
  readonly identityProvider: IdentityProviderName;
  /** Scope or identifier of the target application, e.g. `api://cluster.ns.app/.default`. */
  readonly target: string;
  /** RFC 8707 resource indicator, sent as `resource`. */
  readonly resource: string | undefined;
  /** RFC 9396 `authorization_details`, as JSON text (texas accepts an array, or its JSON text in a form). */
  readonly authorizationDetails: string | undefined;
  /** Drop any cached token and fetch a new one. */
  readonly skipCache: boolean;
}

/** `POST /api/v1/token/exchange`: a token for `target` on behalf of the user of `user_token`. */
export interface ExchangeRequest {
  readonly identityProvider: IdentityProviderName;
  readonly target: string;
  /** The user's access token; forwarded even when empty (the provider answers the error). */
  readonly userToken: string;
  readonly skipCache: boolean;
}

/** `POST /api/v1/introspect`: validate `token` and return its claims. */
export interface IntrospectRequest {
  readonly identityProvider: IdentityProviderName;
  readonly token: string;
}

/** Reads typed fields from a parsed JSON object or form, failing with texas-style `invalid_request` texts. */
class Fields {
  private readonly values: Record<string, unknown>;

  constructor(
    body: unknown,
    private readonly encoding: BodyEncoding,
  ) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw this.fail(`invalid type: ${describe(body)}, expected a JSON object`);
    }
    this.values = body as Record<string, unknown>;
  }

  fail(detail: string): TokenApiError {
    const prefix =
      this.encoding === 'json'
        ? 'Failed to deserialize the JSON body into the target type'
        : 'Failed to deserialize form body';
    return invalidRequest(`${prefix}: ${detail}`);
  }

  private value(name: string): unknown {
    const value = Object.hasOwn(this.values, name) ? this.values[name] : undefined;
    if (Array.isArray(value) && this.encoding === 'form') throw this.fail(`duplicate field \`${name}\``);
    return value === null ? undefined : value;
  }

  string(name: string): string | undefined {
    const value = this.value(name);
    if (value !== undefined && typeof value !== 'string')
      throw this.fail(`${name}: invalid type: ${describe(value)}, expected a string`);
    return value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw this.fail(`missing field \`${name}\``);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.value(name);
    if (value === undefined || typeof value === 'boolean') return value ?? false;
    if (this.encoding === 'form' && (value === 'true' || value === 'false')) return value === 'true';
    throw this.fail(`${name}: invalid type: ${describe(value)}, expected a boolean`);
  }

  provider(): IdentityProviderName {
    const name = this.required('identity_provider');
    if (!(IDENTITY_PROVIDER_NAMES as readonly string[]).includes(name)) {
      const expected = IDENTITY_PROVIDER_NAMES.map((n) => `\`${n}\``).join(', ');
      throw this.fail(`identity_provider: unknown variant \`${name}\`, expected one of ${expected}`);
    }
    return name === 'azuread' ? 'entra_id' : (name as IdentityProviderName);
  }

  authorizationDetails(): string | undefined {
    const value = this.value('authorization_details');
    if (value === undefined) return undefined;
    let parsed: unknown = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        throw this.fail('authorization_details: expected a JSON array');
      }
    }
    if (!Array.isArray(parsed)) throw this.fail('authorization_details: expected a JSON array');
    return JSON.stringify(parsed);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  // A parsed JSON value: only numbers, booleans (and undefined) are left here.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return `${typeof value} \`${String(value)}\``;
}

/** Parses a `/api/v1/token` body; throws `TokenApiError` 400 `invalid_request`. */
export function parseTokenRequest(body: unknown, encoding: BodyEncoding): TokenRequest {
  const f = new Fields(body, encoding);
  return {
    identityProvider: f.provider(),
    target: f.required('target'),
    resource: f.string('resource'),
    authorizationDetails: f.authorizationDetails(),
    skipCache: f.boolean('skip_cache'),
  };
}

/** Parses a `/api/v1/token/exchange` body; throws `TokenApiError` 400 `invalid_request`. */
export function parseExchangeRequest(body: unknown, encoding: BodyEncoding): ExchangeRequest {
  const f = new Fields(body, encoding);
  return {
    identityProvider: f.provider(),
    target: f.required('target'),
    userToken: f.required('user_token'),
    skipCache: f.boolean('skip_cache'),
  };
}

/** Parses a `/api/v1/introspect` body; throws `TokenApiError` 400 `invalid_request`. */
export function parseIntrospectRequest(body: unknown, encoding: BodyEncoding): IntrospectRequest {
  const f = new Fields(body, encoding);
  return { identityProvider: f.provider(), token: f.required('token') };
}
