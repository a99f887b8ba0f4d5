import { defineSection, v } from '../declare.js';
import type { EnvReader } from '../env-reader.js';
import { parseDownstreamApis, type DownstreamApis } from '../../token-api/downstream-apis.js';
import type { TokenExchangeGrant } from '../../token-api/grants.js';
import { isLoopbackPeer } from '../../token-api/loopback.js';

/** The token API listener: texas-compatible and Microsoft sidecar-compatible endpoints for apps in the same pod. */
export interface TokenApiConfig {
  /** `TOKEN_API_ADDRESS` host part: `127.0.0.1`, `::1` or `localhost` unless `allowRemote`. */
  readonly host: string;
  /** `TOKEN_API_ADDRESS` port part, 1–65535. */
  readonly port: number;
  /** `TOKEN_API_ALLOW_REMOTE`: serve callers that are not on this host. Default false; only with a NetworkPolicy limited to the app's pods. */
  readonly allowRemote: boolean;
  /** `TOKEN_EXCHANGE_GRANT`: `obo` (Entra on-behalf-of) or `rfc8693` (token exchange). Default `obo` for an Entra issuer, else `rfc8693`. */
  readonly exchangeGrant: TokenExchangeGrant;
  /** `DOWNSTREAM_APIS`: the Microsoft sidecar's `DownstreamApis` profiles, by lower-cased name. Default none. */
  readonly downstreamApis: DownstreamApis;
}

/** The token API's part of `Config`. */
export interface TokenApiSectionConfig {
  /** The token API listener, or undefined when `TOKEN_API_ADDRESS` is unset (off). */
  readonly tokenApi: TokenApiConfig | undefined;
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

/** `TOKEN_API_ADDRESS`, `TOKEN_API_ALLOW_REMOTE`, `TOKEN_EXCHANGE_GRANT` and `DOWNSTREAM_APIS` (docs/token-api.md). */
export const tokenApiSection = defineSection({
  name: 'token-api',
  variables: {
    address: v.string('TOKEN_API_ADDRESS', undefined, {
      doc: 'host:port of the token API listener (texas and Microsoft sidecar endpoints), e.g. 127.0.0.1:7164; unset = off. Loopback only unless TOKEN_API_ALLOW_REMOTE=true.',
    }),
    allowRemote: v.boolean('TOKEN_API_ALLOW_REMOTE', false, {
      doc: 'Serve token API callers that are not on this host (and allow a non-loopback TOKEN_API_ADDRESS); only with a NetworkPolicy limited to the app’s pods.',
    }),
    exchangeGrant: v.string('TOKEN_EXCHANGE_GRANT', undefined, {
      doc: 'How /api/v1/token/exchange and the sidecar’s on-behalf-of calls ask the provider: obo (Entra on-behalf-of) or rfc8693 (token exchange).',
    }),
    downstreamApis: v.json('DOWNSTREAM_APIS', {
      doc: 'JSON in the Microsoft sidecar’s DownstreamApis shape: {"name":{"BaseUrl","RelativePath","Scopes":[…],"HttpMethod","RequestAppToken"}}.',
    }),
  },
  build(values, r): TokenApiSectionConfig {
    const { address, allowRemote } = values;
    const grant = values.exchangeGrant?.toLowerCase() ?? (isEntraIssuer(issuerFromEnv(r)) ? 'obo' : 'rfc8693');
    if (grant !== 'obo' && grant !== 'rfc8693')
      r.problems.push(`TOKEN_EXCHANGE_GRANT must be one of obo, rfc8693 (got "${values.exchangeGrant}")`);
    const downstreamApis = parseDownstreamApis(values.downstreamApis, r.problems, r.warnings);
    if (address === undefined) {
      if (allowRemote) r.warnings.push('TOKEN_API_ALLOW_REMOTE has no effect without TOKEN_API_ADDRESS');
      if (downstreamApis.size > 0) r.warnings.push('DOWNSTREAM_APIS has no effect without TOKEN_API_ADDRESS');
      return { tokenApi: undefined };
    }
    const parsed = parseHostPort(address);
    if (!parsed) {
      r.problems.push(`TOKEN_API_ADDRESS must be host:port, e.g. 127.0.0.1:7164 or [::1]:7164 (got "${address}")`);
      return { tokenApi: undefined };
    }
    const loopback = parsed.host === 'localhost' || isLoopbackPeer(parsed.host);
    if (!loopback && !allowRemote) {
      r.problems.push(
        `TOKEN_API_ADDRESS must be a loopback address such as 127.0.0.1:7164 (got "${address}"); the token API mints tokens with the service's credentials, so set TOKEN_API_ALLOW_REMOTE=true only with a NetworkPolicy that admits only the app's pods`,
      );
      return { tokenApi: undefined };
    }
    if (allowRemote)
      r.warnings.push(
        "TOKEN_API_ALLOW_REMOTE=true: any caller that reaches TOKEN_API_ADDRESS gets tokens with the service's credentials; limit it with a NetworkPolicy to the app's pods",
      );
    const exchangeGrant: TokenExchangeGrant = grant === 'obo' ? 'obo' : 'rfc8693';
    return { tokenApi: { host: parsed.host, port: parsed.port, allowRemote, exchangeGrant, downstreamApis } };
  },
});
