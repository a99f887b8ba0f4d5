import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/index.js';
import { compileIdentityHeaders, encodeHeaderValue, identityHeaderNames } from '../../src/gate/identity-headers.js';
import type { Session } from '../../src/session/session.js';
import { baseEnv } from '../fixtures/env.js';

function session(claims: Record<string, unknown>, tokens: Partial<Session> = {}): Session {
  return { sub: 'u1', claims, createdAt: 0, lastSeenAt: 0, expiresAt: 1, ...tokens };
}

describe('encodeHeaderValue', () => {
  it('passes plain ASCII unchanged', () => {
    expect(encodeHeaderValue('Alice Andersen <alice@example.test>')).toBe('Alice Andersen <alice@example.test>');
  });

  it('percent-encodes non-ASCII names as UTF-8', () => {
    expect(encodeHeaderValue('Søren Ødegård')).toBe('S%C3%B8ren %C3%98deg%C3%A5rd');
    expect(encodeHeaderValue('李雷')).toBe('%E6%9D%8E%E9%9B%B7');
  });

  it('never lets CR or LF through', () => {
    expect(encodeHeaderValue('evil\r\nSet-Cookie: x=y')).toBe('evil%0D%0ASet-Cookie: x=y');
  });

  it('encodes a literal percent so decoding is unambiguous', () => {
    expect(encodeHeaderValue('100%')).toBe('100%25');
  });

  it('round-trips every string through decodeURIComponent and yields a legal header value (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const encoded = encodeHeaderValue(value);
        return /^[\x20-\x7e]*$/.test(encoded) && decodeURIComponent(encoded) === value;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('compileIdentityHeaders', () => {
  const config = loadConfig({
    ...baseEnv,
    HEADERS: JSON.stringify([
      { name: 'X-Team', value: 'team={{ .claims.org.team.name }}' },
      { name: 'X-Groups', value: '{{ .claims.groups }}' },
    ]),
    AUTHORIZATION_HEADER: 'Authorization',
    ID_TOKEN_HEADER: 'X-Id-Token',
  });
  const build = compileIdentityHeaders(config);

  it('sets user from name and email from email', () => {
    const h = build(
      session(
        { name: 'Alice', email: 'a@x.test', groups: ['g1', 'g2'], org: { team: { name: 'core' } } },
        { accessToken: 'at', idToken: 'it' },
      ),
    );
    expect(h).toEqual({
      'X-Forwarded-User': 'Alice',
      'X-Forwarded-Email': 'a@x.test',
      'X-Forwarded-Subject': 'u1',
      'X-Team': 'team=core',
      'X-Groups': 'g1,g2',
      Authorization: 'Bearer at',
      'X-Id-Token': 'it',
    });
  });

  it('sends the stable subject, so two users with one display name stay apart', () => {
    const a = build(session({ sub: 'sub-a', name: 'Jens Hansen' }, { sub: 'sub-a' }));
    const b = build(session({ sub: 'sub-b', name: 'Jens Hansen' }, { sub: 'sub-b' }));
    expect(a['X-Forwarded-User']).toBe(b['X-Forwarded-User']);
    expect([a['X-Forwarded-Subject'], b['X-Forwarded-Subject']]).toEqual(['sub-a', 'sub-b']);
  });

  it('percent-encodes the subject like every other header', () => {
    expect(build(session({ sub: 'ø\r\n%' }, { sub: 'ø\r\n%' }))['X-Forwarded-Subject']).toBe('%C3%B8%0D%0A%25');
  });

  it('uses sub, not an oid claim, for a provider other than Entra', () => {
    expect(build(session({ sub: 'u1', oid: 'o1' }))['X-Forwarded-Subject']).toBe('u1');
  });

  it('never sends an email the provider marked unverified, and no username as email outside Entra', () => {
    expect(
      build(session({ name: 'A', email: 'a@x.test', email_verified: false }))['X-Forwarded-Email'],
    ).toBeUndefined();
    expect(build(session({ name: 'A', preferred_username: 'a@upn.test' }))['X-Forwarded-Email']).toBeUndefined();
    expect(build(session({ name: 'A', upn: 'a@corp.test' }))['X-Forwarded-Email']).toBeUndefined();
  });

  it('renders a missing claim as empty text rather than failing', () => {
    expect(build(session({ name: 'A' }))['X-Team']).toBe('team=');
  });

  it('renders a session once and gives the same headers for every later check of that session', () => {
    const s = session({ name: 'Alice', groups: ['g1'] }, { accessToken: 'at' });
    const first = build(s);
    expect(build(s)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Identical to what a fresh compilation renders for it (no cache involved).
    expect(first).toEqual(compileIdentityHeaders(config)(s));
  });

  it('renders a new session object again: a refresh (new tokens, new groups) is never served old headers', () => {
    const before = session({ name: 'Alice', groups: ['g1'] }, { accessToken: 'at-1' });
    const after: Session = { ...before, claims: { name: 'Alice', groups: ['g1', 'g2'] }, accessToken: 'at-2' };
    expect(build(before)['X-Groups']).toBe('g1');
    expect(build(after)['X-Groups']).toBe('g1,g2');
    expect(build(after).Authorization).toBe('Bearer at-2');
  });

  it('lists every header it may set, for the proxy to strip client copies', () => {
    expect(identityHeaderNames(config)).toEqual([
      'X-Forwarded-User',
      'X-Forwarded-Email',
      'X-Forwarded-Subject',
      'X-Forwarded-Client-Id',
      'X-Forwarded-Client-Name',
      'X-Team',
      'X-Groups',
      'Authorization',
      'X-Id-Token',
    ]);
  });
});

describe('compileIdentityHeaders with Entra ID', () => {
  const issuer = 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0';
  const build = compileIdentityHeaders(loadConfig({ ...baseEnv, OIDC_ISSUER_URL: issuer }));
  const member = { iss: issuer, sub: 'pairwise', oid: 'object-id', name: 'A' };

  it('keys the subject on oid, else sub', () => {
    expect(build(session(member))['X-Forwarded-Subject']).toBe('object-id');
    expect(build(session({ ...member, oid: undefined }))['X-Forwarded-Subject']).toBe('pairwise');
  });

  it('falls back to preferred_username, then upn, for a tenant member’s email', () => {
    expect(build(session({ ...member, preferred_username: 'a@upn.test' }))['X-Forwarded-Email']).toBe('a@upn.test');
    expect(build(session({ ...member, upn: 'a@corp.test' }))['X-Forwarded-Email']).toBe('a@corp.test');
  });

  it('does not fall back for a guest', () => {
    expect(
      build(session({ ...member, idp: 'live.com', preferred_username: 'g@home.test' }))['X-Forwarded-Email'],
    ).toBeUndefined();
  });
});
