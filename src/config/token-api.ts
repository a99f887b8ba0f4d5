import { EnvReader, type Env } from './env-reader.js';
import { isLoopbackPeer } from '../token-api/loopback.js';
import type { TokenExchangeGrant } from '../token-api/grants.js';

/** The token API listener (texas-compatible endpoints for apps in the same pod). Absent when `TOKEN_API_ADDRESS` is unset. */
export interface TokenApiConfig {
  /** `TOKEN_API_ADDRESS` host part: `127.0.0.1`, `::1` or `localhost` unless `allowRemote`. */
  readonly host: string;
  /** `TOKEN_API_ADDRESS` port part, 1–65535. */
  readonly port: number;
  /** `TOKEN_API_ALLOW_REMOTE`: serve callers that are not on this host. Default false; only with a NetworkPolicy limited to the app's pods. */
  readonly allowRemote: boolean;
  /** `TOKEN_EXCHANGE_GRANT`: `obo` (Entra on-behalf-of) or `rfc8693` (token exchange). Default `obo` for an Entra issuer, else `rfc8693`. */
  readonly exchangeGrant: TokenExchangeGrant;
}

const ENTRA_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'sts.windows.net',
];

/** True for a Microsoft Entra ID issuer (public and national clouds, v1 and v2, and `*.ciamlogin.com`). */
export function isEntraIssuer(issuer: URL | undefined): boolean {
  if (!issuer) return false;
  const host = issuer.hostname.toLowerCase();
  return ENTRA_HOSTS.includes(host) || host.endsWith('.ciamlogin.com');
}

/** Splits `host:port` (`[::1]:7164` for IPv6); undefined when malformed. */
export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2] ?? '').toLowerCase(), port };
}

function issuerFromEnv(r: EnvReader): URL | undefined {
  if (r.raw('AZURE_TENANT_ID') !== undefined) return new URL('https://login.microsoftonline.com/');
  const issuer = r.raw('OIDC_ISSUER_URL');
  return issuer !== undefined && URL.canParse(issuer) ? new URL(issuer) : undefined;
}

/**
 * Reads the token API section with an `EnvReader`, adding its problems and
 * warnings to the reader's. `issuerUrl` decides the default exchange grant;
 * without it the issuer variables are looked at.
 */
export function readTokenApiConfig(r: EnvReader, issuerUrl?: URL): TokenApiConfig | undefined {
  const address = r.raw('TOKEN_API_ADDRESS');
  const allowRemote = r.boolean('TOKEN_API_ALLOW_REMOTE', false);
  const entra = isEntraIssuer(issuerUrl ?? issuerFromEnv(r));
  const exchangeGrant = r.oneOf<TokenExchangeGrant>(
    'TOKEN_EXCHANGE_GRANT',
    ['obo', 'rfc8693'],
    entra ? 'obo' : 'rfc8693',
  );
  if (address === undefined) {
    if (allowRemote) r.warnings.push('TOKEN_API_ALLOW_REMOTE has no effect without TOKEN_API_ADDRESS');
    return undefined;
  }
  const parsed = parseHostPort(address);
  if (!parsed) {
    r.problems.push(`TOKEN_API_ADDRESS must be host:port, e.g. 127.0.0.1:7164 or [::1]:7164 (got "${address}")`);
    return undefined;
  }
  const loopback = parsed.host === 'localhost' || isLoopbackPeer(parsed.host);
  if (!loopback && !allowRemote) {
    r.problems.push(
      `TOKEN_API_ADDRESS must be a loopback address such as 127.0.0.1:7164 (got "${address}"); the token API mints tokens with the service's credentials, so set TOKEN_API_ALLOW_REMOTE=true only with a NetworkPolicy that admits only the app's pods`,
    );
    return undefined;
  }
  if (allowRemote)
    r.warnings.push(
      "TOKEN_API_ALLOW_REMOTE=true: any caller that reaches TOKEN_API_ADDRESS gets tokens with the service's credentials; limit it with a NetworkPolicy to the app's pods",
    );
  return { host: parsed.host, port: parsed.port, allowRemote, exchangeGrant };
}

/** Reads the token API section from an environment record on its own: the section (undefined when off or invalid) and every problem, each naming its variable. */
export function loadTokenApiConfig(
  env: Env,
  issuerUrl?: URL,
): { config: TokenApiConfig | undefined; problems: string[]; warnings: string[] } {
  const r = new EnvReader(env, () => {
    throw new Error('no files are read for the token API section');
  });
  const config = readTokenApiConfig(r, issuerUrl);
  return { config: r.problems.length === 0 ? config : undefined, problems: r.problems, warnings: r.warnings };
}
