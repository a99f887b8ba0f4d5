/** A token for Microsoft Graph and when it ends (Unix seconds). */
export interface GraphToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** What the Graph lookup of groups in overage needs. */
export interface GraphGroupsOptions {
  /** `ENTRA_GRAPH_URL`: the Graph endpoint, `https://graph.microsoft.com` in the public cloud. */
  readonly graphUrl: URL;
  /** Gets a token for Graph (client credentials with the app's own registration). */
  readonly graphToken: () => Promise<GraphToken>;
  /** Seconds a user's groups are kept. Default 300. */
  readonly ttlSeconds?: number;
  /** Users whose groups are kept at once. Default 10000. */
  readonly maxUsers?: number;
  /** Milliseconds a Graph call may take. Default 5000. */
  readonly timeoutMs?: number;
}

const GUIDISH = /^[\w.@-]{1,128}$/;

/**
 * Resolves the groups of a user whose token left them out (Entra ID "groups overage",
 * `_claim_names.groups`) through Microsoft Graph `getMemberGroups`, by the user's
 * object id (`oid`). Results are cached per user (tenant and object id); concurrent
 * lookups of one user share one call. A failed lookup resolves to undefined (the
 * caller denies), never throws.
 */
export class GraphGroups {
  private readonly cache = new Map<string, { readonly groups: readonly string[]; readonly until: number }>();
  private readonly pending = new Map<string, Promise<readonly string[] | undefined>>();
  private token: GraphToken | undefined;
  private readonly ttl: number;
  private readonly maxUsers: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: GraphGroupsOptions) {
    this.ttl = options.ttlSeconds ?? 300;
    this.maxUsers = options.maxUsers ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The groups of the user the claims name (`oid`, in `tid`), or undefined when Graph cannot tell. */
  groupsOf(claims: Readonly<Record<string, unknown>>): Promise<readonly string[] | undefined> {
    const oid = claims.oid;
    if (typeof oid !== 'string' || !GUIDISH.test(oid)) return Promise.resolve(undefined);
    const key = `${typeof claims.tid === 'string' ? claims.tid : ''}/${oid}`;
    const now = Date.now() / 1000;
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.until > now) return Promise.resolve(hit.groups);
    let lookup = this.pending.get(key);
    if (lookup === undefined) {
      lookup = this.lookup(oid)
        .then((groups) => {
          if (this.cache.size >= this.maxUsers) this.cache.delete(this.cache.keys().next().value ?? '');
          this.cache.set(key, { groups, until: Date.now() / 1000 + this.ttl });
          return groups;
        })
        .catch(() => undefined)
        .finally(() => this.pending.delete(key));
      this.pending.set(key, lookup);
    }
    return lookup;
  }

  private async accessToken(): Promise<string> {
    if (this.token === undefined || this.token.expiresAt - 60 <= Date.now() / 1000)
      this.token = await this.options.graphToken();
    return this.token.token;
  }

  private async lookup(oid: string): Promise<readonly string[]> {
    const url = new URL(`v1.0/users/${encodeURIComponent(oid)}/getMemberGroups`, withSlash(this.options.graphUrl));
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${await this.accessToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ securityEnabledOnly: false }),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
    if (!res.ok) throw new Error(`Graph answered ${res.status}`);
    const body = (await res.json()) as { value?: unknown };
    if (!Array.isArray(body.value)) throw new Error('Graph answered without value');
    return body.value.filter((g): g is string => typeof g === 'string');
  }
}

function withSlash(url: URL): URL {
  return url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
}

/** The Graph scope for client credentials: `<graph origin>/.default`. */
export function graphScope(graphUrl: URL): string {
  return `${graphUrl.origin}/.default`;
}
