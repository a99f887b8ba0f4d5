import { claimAt, type ClaimRule } from '../authz/claim-rules.js';
import type { HeaderTemplate } from '../config/config.js';
import { templateReferences } from '../config/header-templates.js';

/** Claims the built-in identity headers, the Entra overage check and logout read: always kept whole. */
export const IDENTITY_CLAIMS: readonly string[] = [
  'sub',
  'name',
  'preferred_username',
  'email',
  'email_verified',
  'xms_edov',
  'upn',
  'oid',
  'tid',
  'sid',
  'idp',
  'iss',
  'acct',
  '_claim_names',
  '_claim_sources',
];

/** The claims a fallback copy carries, computed from the full claims of a session. */
export type ClaimProjection = (claims: Readonly<Record<string, unknown>>) => Record<string, unknown>;

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);

/** Defines `key` on `target` as plain data, so a claim named `__proto__` is never a prototype. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The top-level claims `HEADERS` templates read (`{{ .claims.groups }}` → `groups`), kept with full values. */
export function templateClaims(headers: readonly HeaderTemplate[]): string[] {
  const names = new Set<string>();
  for (const { value } of headers) {
    for (const reference of templateReferences(value))
      if (reference.startsWith('.claims.')) names.add(reference.slice('.claims.'.length).split('.')[0]);
  }
  return [...names];
}

/** Only the values of `value` that some rule names: what `ASSERT_CLAIMS` can see, nothing more. */
function filtered(value: unknown, wanted: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.filter((v) => isScalar(v) && wanted.has(String(v)));
  if (isScalar(value)) return wanted.has(String(value)) ? value : undefined;
  return undefined;
}

/** Stores `value` at the dotted `path` of `out`, creating plain objects on the way. */
function putAt(out: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = out;
  for (const part of path.slice(0, -1)) {
    const next = Object.hasOwn(node, part) ? node[part] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const fresh: Record<string, unknown> = {};
      put(node, part, fresh);
      node = fresh;
    } else node = next as Record<string, unknown>;
  }
  put(node, path[path.length - 1], value);
}

/**
 * The projection a fallback copy carries, built once from the configuration: the
 * identity claims and the claims `HEADERS` templates print, whole; for each claim an
 * `ASSERT_CLAIMS` rule reads, only the values some rule lists. A predicate over the
 * projection gives the same answer as over the full claims, since `anyOf`/`allOf`
 * only ever test membership of their own values.
 */
export function claimProjection(rules: readonly ClaimRule[], headers: readonly HeaderTemplate[]): ClaimProjection {
  const whole = [...new Set([...IDENTITY_CLAIMS, ...templateClaims(headers)])];
  const wanted = new Map<string, Set<string>>();
  for (const rule of rules) {
    const values = 'anyOf' in rule ? rule.anyOf : rule.allOf;
    const set = wanted.get(rule.name) ?? new Set<string>();
    for (const value of values) set.add(value);
    wanted.set(rule.name, set);
  }
  return (claims) => {
    const out: Record<string, unknown> = {};
    for (const name of whole) if (Object.hasOwn(claims, name)) put(out, name, claims[name]);
    for (const [name, values] of wanted) {
      const top = Object.hasOwn(claims, name) ? name : name.split('.')[0];
      if (whole.includes(top)) continue;
      const kept = filtered(claimAt(claims, name), values);
      if (kept === undefined) continue;
      // A literal key containing dots wins over the path, as in claimAt.
      if (Object.hasOwn(claims, name)) put(out, name, kept);
      else putAt(out, name.split('.'), kept);
    }
    return out;
  };
}
