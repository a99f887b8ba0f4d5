/** A consumer application allowed to call the API: `clientId` is what matches; `name` is only a label. */
export interface PolicyApplication {
  /** A label such as `<cluster>:<namespace>:<app>`, for logs and `X-Forwarded-Client-Name`; never an identity. */
  readonly name: string;
  /** The consumer's client id, compared with the token's `azp` (v2) or `appid` (v1). */
  readonly clientId: string;
}

/** `ACCESS_POLICY`: the inbound access policy, in the vocabulary of the NAIS guide. */
export interface AccessPolicy {
  readonly applications: readonly PolicyApplication[];
  /** An app-only token needs one of these `roles` (when non-empty). Default `["access_as_application"]`. */
  readonly appRoles: readonly string[];
  readonly users: {
    /** Every user of the tenant passes the group rule. Default false. */
    readonly allowAll: boolean;
    /** A user needs one of these group ids in `groups` (unless `allowAll`). */
    readonly groups: readonly string[];
    /** When non-empty, a user token's `scp` needs one of these. */
    readonly scopes: readonly string[];
  };
}

/** The policy that applies when `ACCESS_POLICY` is unset: no application and no user passes. */
export const DEFAULT_ACCESS_POLICY: AccessPolicy = {
  applications: [],
  appRoles: ['access_as_application'],
  users: { allowAll: false, groups: [], scopes: [] },
};

type Problems = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  where: string,
  problems: Problems,
): void {
  const extra = Object.keys(value).filter((k) => !known.includes(k));
  if (extra.length > 0) problems.push(`${where} has unknown key(s): ${extra.join(', ')}`);
}

function strings(value: unknown, where: string, fallback: readonly string[], problems: Problems): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '' && v === v.trim())) {
    problems.push(`${where} must be a list of non-empty strings`);
    return [...fallback];
  }
  return [...new Set(value as string[])];
}

function applications(value: unknown, variable: string, problems: Problems): PolicyApplication[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${variable}.applications must be a list of {"name","clientId"}`);
    return [];
  }
  const seen = new Set<string>();
  const out: PolicyApplication[] = [];
  value.forEach((entry: unknown, i) => {
    const where = `${variable}.applications[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${where} must be an object {"name","clientId"}`);
      return;
    }
    unknownKeys(entry, ['name', 'clientId'], where, problems);
    const { name, clientId } = entry;
    if (typeof clientId !== 'string' || !/^[^\s\p{Cc}]+$/u.test(clientId)) {
      problems.push(`${where}.clientId must be the consumer's client id (the token's azp or appid)`);
      return;
    }
    if (typeof name !== 'string' || name.trim() === '' || /\p{Cc}/u.test(name)) {
      problems.push(`${where}.name must be a label such as "<cluster>:<namespace>:<app>"`);
      return;
    }
    if (seen.has(clientId)) problems.push(`${where}.clientId "${clientId}" is listed twice`);
    seen.add(clientId);
    out.push({ name, clientId });
  });
  return out;
}

/**
 * Validates the parsed `ACCESS_POLICY` JSON (undefined: the default policy) and
 * returns the policy with every problem found, each naming the variable.
 */
export function parseAccessPolicy(
  input: unknown,
  variable = 'ACCESS_POLICY',
): { policy: AccessPolicy; problems: string[] } {
  if (input === undefined) return { policy: DEFAULT_ACCESS_POLICY, problems: [] };
  const problems: Problems = [];
  if (!isObject(input)) {
    return {
      policy: DEFAULT_ACCESS_POLICY,
      problems: [`${variable} must be a JSON object {"applications":[…],"appRoles":[…],"users":{…}}`],
    };
  }
  unknownKeys(input, ['applications', 'appRoles', 'users'], variable, problems);
  const users = input.users ?? {};
  if (!isObject(users)) problems.push(`${variable}.users must be an object {"allowAll","groups","scopes"}`);
  const u = isObject(users) ? users : {};
  if (isObject(users)) unknownKeys(u, ['allowAll', 'groups', 'scopes'], `${variable}.users`, problems);
  if (u.allowAll !== undefined && typeof u.allowAll !== 'boolean')
    problems.push(`${variable}.users.allowAll must be true or false`);
  const policy: AccessPolicy = {
    applications: applications(input.applications, variable, problems),
    appRoles: strings(input.appRoles, `${variable}.appRoles`, DEFAULT_ACCESS_POLICY.appRoles, problems),
    users: {
      allowAll: u.allowAll === true,
      groups: strings(u.groups, `${variable}.users.groups`, [], problems),
      scopes: strings(u.scopes, `${variable}.users.scopes`, [], problems),
    },
  };
  return { policy, problems };
}
