import { describe, expect, it } from '@jest/globals';
import { compileClaimRules, type ClaimRule } from '../../src/authz/claim-rules.js';
import { claimProjection } from '../../src/session/claim-projection.js';
import { CHUNK_SIZE } from '../../src/session/cookie-store.js';
import { FallbackCodec, copyUsable } from '../../src/session/fallback-copy.js';
import { nowSeconds } from '../../src/session/session.js';
import { newSession } from '../support/sessions.js';
import { APP, SECRET } from '../support/fallback-manager.js';

const GROUPS = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(8, '0')}-1111-2222-3333-444455556666`);
const RULES: ClaimRule[] = [{ name: 'groups', anyOf: [GROUPS[17], GROUPS[150]] }];

function codec(rules: readonly ClaimRule[] = [], headers: { name: string; value: string }[] = []) {
  return new FallbackCodec({
    secrets: [SECRET],
    app: APP,
    cookieName: '_t_session_fb',
    project: claimProjection(rules, headers),
  });
}

const entraClaims = {
  sub: 'alice',
  oid: '00000000-aaaa-bbbb-cccc-000000000001',
  tid: '00000000-aaaa-bbbb-cccc-000000000002',
  name: 'Alice',
  preferred_username: 'alice@contoso.test',
  groups: GROUPS,
  roles: ['reader'],
  wids: ['b79fbf4d-3ef9-4689-8143-76b194e85509'],
};

describe('fallback copy codec', () => {
  it('opens only with the session id it is bound to', async () => {
    const c = codec();
    const value = (await c.seal('alice-id', newSession(), nowSeconds() + 900, 'e1')) as string;
    expect(await c.open(value, 'alice-id')).toMatchObject({ sub: 'user-1', epoch: 'e1' });
    expect(await c.open(value, 'bob-id')).toBeUndefined();
  });

  it('refuses a tampered copy, a copy of another app and one under another secret', async () => {
    const c = codec();
    const value = (await c.seal('id', newSession(), nowSeconds() + 900, undefined)) as string;
    const i = value.length - 30;
    const tampered = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
    expect(await c.open(tampered, 'id')).toBeUndefined();
    const other = new FallbackCodec({
      secrets: [SECRET],
      app: { ...APP, clientId: 'other' },
      cookieName: '_t_session_fb',
      project: (x) => ({ ...x }),
    });
    expect(await other.open(value, 'id')).toBeUndefined();
  });

  it('carries no tokens', async () => {
    const c = codec();
    const copy = await c.open((await c.seal('id', newSession(), nowSeconds() + 900, undefined)) as string, 'id');
    expect(JSON.stringify(copy)).not.toMatch(/access|refresh|id\.token/);
  });

  it('is usable only before min(fbUntil, expiry, idle end)', () => {
    const now = nowSeconds();
    const base = {
      idHash: 'h',
      sub: 's',
      claims: {},
      createdAt: now,
      expiresAt: now + 3600,
      lastSeenAt: now,
      fbUntil: now + 900,
    };
    const lifetime = { maxAge: 3600, idleTimeout: 1800 };
    expect(copyUsable(base, lifetime, now + 899)).toBe(true);
    expect(copyUsable(base, lifetime, now + 900)).toBe(false);
    expect(copyUsable({ ...base, expiresAt: now + 10 }, lifetime, now + 10)).toBe(false);
    expect(copyUsable({ ...base, lastSeenAt: now - 1800 }, lifetime, now)).toBe(false);
  });

  it('fits one chunk for a user in 200 Entra groups, carrying only the groups a rule names', async () => {
    const c = codec(RULES);
    const session = newSession({ sub: 'alice', claims: entraClaims });
    const value = (await c.seal('id', session, nowSeconds() + 900, 'e')) as string;
    expect(value.length).toBeLessThan(3800);
    const copy = await c.open(value, 'id');
    expect(copy?.claims.groups).toEqual([GROUPS[17], GROUPS[150]]);
    expect(copy?.claims).toMatchObject({ oid: entraClaims.oid, tid: entraClaims.tid, name: 'Alice' });
    expect(copy?.claims.roles).toBeUndefined();
    const rules = compileClaimRules(RULES);
    expect(rules(copy?.claims ?? {})).toBe(rules(entraClaims));
  });

  it('is skipped when a HEADERS template prints every group (too large for one chunk)', async () => {
    const c = codec(RULES, [{ name: 'X-Groups', value: '{{ .claims.groups }}' }]);
    const session = newSession({ claims: entraClaims });
    expect(await c.seal('id', session, nowSeconds() + 900, 'e')).toBeUndefined();
    expect(CHUNK_SIZE).toBe(3800);
  });
});

describe('claim projection', () => {
  it('keeps the predicate of every rule shape unchanged', () => {
    const rules: ClaimRule[] = [
      { name: 'groups', allOf: ['a', 'b'] },
      { name: 'realm_access.roles', anyOf: ['admin'] },
      { name: 'tier', anyOf: ['gold', '3'] },
      { name: 'dotted.key', anyOf: ['x'] },
    ];
    const predicate = compileClaimRules(rules);
    const project = claimProjection(rules, []);
    const cases = [
      { groups: ['a', 'b', 'c'], realm_access: { roles: ['admin', 'u'], other: 1 }, tier: 'gold', 'dotted.key': 'x' },
      { groups: ['a'], realm_access: { roles: ['u'] }, tier: 3, 'dotted.key': ['y', 'x'] },
      { groups: 'a', tier: ['silver'], dotted: { key: 'x' } },
      {},
    ];
    for (const claims of cases) expect(predicate(project(claims))).toBe(predicate(claims));
    expect(project(cases[0])).toEqual({
      groups: ['a', 'b'],
      realm_access: { roles: ['admin'] },
      tier: 'gold',
      'dotted.key': 'x',
    });
  });

  it('keeps the claims HEADERS templates read whole, and never lets a claim named __proto__ become a prototype', () => {
    const project = claimProjection(
      [{ name: '__proto__', anyOf: ['x'] }],
      [{ name: 'X-Dept', value: '{{ .claims.dept.name }}' }],
    );
    const claims = JSON.parse('{"dept":{"name":"R&D","code":7},"__proto__":["x"],"secret":"s"}') as Record<
      string,
      unknown
    >;
    const out = project(claims);
    expect(out.dept).toEqual({ name: 'R&D', code: 7 });
    expect(out.secret).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
