/**
 * One `assertClaims` entry: the claim at `name` (a dotted path into nested claims)
 * must contain at least one of `anyOf`, or every one of `allOf`.
 */
export type ClaimRule =
  | { readonly name: string; readonly anyOf: readonly string[] }
  | { readonly name: string; readonly allOf: readonly string[] };

/** A compiled rule set: true when the claims satisfy every rule. Pure, built once at start. */
export type ClaimPredicate = (claims: Readonly<Record<string, unknown>>) => boolean;

/** Validates the parsed `ASSERT_CLAIMS` JSON; returns the rules and every problem found. */
export function parseClaimRules(input: unknown, variable: string): { rules: ClaimRule[]; problems: string[] } {
  if (input === undefined) return { rules: [], problems: [] };
  if (!Array.isArray(input))
    return { rules: [], problems: [`${variable} must be a JSON array of {name, anyOf|allOf}`] };
  const rules: ClaimRule[] = [];
  const problems: string[] = [];
  input.forEach((entry: unknown, i) => {
    const where = `${variable}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where} must be an object with name and anyOf or allOf`);
      return;
    }
    const { name, anyOf, allOf, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) problems.push(`${where} has unknown key(s): ${extra.join(', ')}`);
    if (typeof name !== 'string' || name.trim() === '' || name.split('.').some((p) => p === '')) {
      problems.push(`${where}.name must be a claim name or dotted path such as "groups" or "realm_access.roles"`);
      return;
    }
    if ((anyOf === undefined) === (allOf === undefined)) {
      problems.push(`${where} must have exactly one of anyOf or allOf`);
      return;
    }
    const key = anyOf !== undefined ? 'anyOf' : 'allOf';
    const values = anyOf ?? allOf;
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    ) {
      problems.push(`${where}.${key} must be a non-empty list of strings`);
      return;
    }
    const strings = values.map(String);
    rules.push(key === 'anyOf' ? { name, anyOf: strings } : { name, allOf: strings });
  });
  return { rules, problems };
}

/** Reads a claim by dotted path; a literal key containing dots wins over the path. */
export function claimAt(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let node: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function valuesOf(claim: unknown): Set<string> {
  if (Array.isArray(claim)) {
    return new Set(claim.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String));
  }
  if (typeof claim === 'string') return new Set([claim]);
  if (typeof claim === 'number' || typeof claim === 'boolean') return new Set([String(claim)]);
  return new Set();
}

/** Compiles rules into one predicate; with no rules every authenticated user passes. */
export function compileClaimRules(rules: readonly ClaimRule[]): ClaimPredicate {
  const checks = rules.map((rule): ClaimPredicate => {
    if ('anyOf' in rule) {
      const wanted = [...rule.anyOf];
      return (claims) => {
        const have = valuesOf(claimAt(claims, rule.name));
        return wanted.some((v) => have.has(v));
      };
    }
    const wanted = [...rule.allOf];
    return (claims) => {
      const have = valuesOf(claimAt(claims, rule.name));
      return wanted.every((v) => have.has(v));
    };
  });
  return (claims) => checks.every((check) => check(claims));
}
