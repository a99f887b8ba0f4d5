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
    HEADERS: JSON.stringify([{ name: 'X-Team', value: 'team={{ .claims.org.team.name }}' }, { name: 'X-Groups', value: '{{ .claims.groups }}' }]),
    AUTHORIZATION_HEADER: 'Authorization',
    ID_TOKEN_HEADER: 'X-Id-Token',
  });
  const build = compileIdentityHeaders(config);

  it('sets user from name and email from email', () => {
    const h = build(session({ name: 'Alice', email: 'a@x.test', groups: ['g1', 'g2'], org: { team: { name: 'core' } } }, { accessToken: 'at', idToken: 'it' }));
    expect(h).toEqual({ 'X-Forwarded-User': 'Alice', 'X-Forwarded-Email': 'a@x.test', 'X-Team': 'team=core', 'X-Groups': 'g1,g2', Authorization: 'Bearer at', 'X-Id-Token': 'it' });
  });

  it('falls back to preferred_username, then upn, for the email header', () => {
    expect(build(session({ name: 'A', preferred_username: 'a@upn.test' }))['X-Forwarded-Email']).toBe('a@upn.test');
    expect(build(session({ name: 'A', upn: 'a@corp.test' }))['X-Forwarded-Email']).toBe('a@corp.test');
  });

  it('renders a missing claim as empty text rather than failing', () => {
    expect(build(session({ name: 'A' }))['X-Team']).toBe('team=');
  });

  it('lists every header it may set, for the proxy to strip client copies', () => {
    expect(identityHeaderNames(config)).toEqual(['X-Forwarded-User', 'X-Forwarded-Email', 'X-Team', 'X-Groups', 'Authorization', 'X-Id-Token']);
  });
});
