import { describe, expect, it } from '@jest/globals';
import { claimAt, compileClaimRules } from '../../src/authz/claim-rules.js';

describe('compileClaimRules', () => {
  const allow = compileClaimRules([
    { name: 'groups', anyOf: ['admin', 'user'] },
    { name: 'roles', allOf: ['reader', 'writer'] },
  ]);

  it('passes when every rule holds', () => {
    expect(allow({ groups: ['user'], roles: ['writer', 'reader', 'extra'] })).toBe(true);
  });

  it('fails when an anyOf claim has none of the values', () => {
    expect(allow({ groups: ['guest'], roles: ['reader', 'writer'] })).toBe(false);
  });

  it('fails when an allOf claim misses one value', () => {
    expect(allow({ groups: ['admin'], roles: ['reader'] })).toBe(false);
  });

  it('fails when the claim is absent or of another type', () => {
    expect(allow({ roles: ['reader', 'writer'] })).toBe(false);
    expect(allow({ groups: { admin: true }, roles: ['reader', 'writer'] })).toBe(false);
  });

  it('accepts a single string claim as a one-element list', () => {
    expect(compileClaimRules([{ name: 'role', anyOf: ['admin'] }])({ role: 'admin' })).toBe(true);
    expect(compileClaimRules([{ name: 'role', allOf: ['admin', 'x'] }])({ role: 'admin' })).toBe(false);
  });

  it('does not match substrings of a string claim', () => {
    expect(compileClaimRules([{ name: 'role', anyOf: ['admin'] }])({ role: 'superadmin' })).toBe(false);
  });

  it('reads nested claims by dotted path', () => {
    const rule = compileClaimRules([{ name: 'realm_access.roles', anyOf: ['ops'] }]);
    expect(rule({ realm_access: { roles: ['ops'] } })).toBe(true);
    expect(rule({ realm_access: { roles: ['dev'] } })).toBe(false);
  });

  it('prefers a literal claim name containing dots (URL-style claims)', () => {
    expect(claimAt({ 'https://example.test/roles': ['a'] }, 'https://example.test/roles')).toEqual(['a']);
  });

  it('does not walk into the prototype chain', () => {
    expect(claimAt({}, 'constructor.name')).toBeUndefined();
    expect(compileClaimRules([{ name: '__proto__.x', anyOf: ['1'] }])({})).toBe(false);
  });

  it('lets every authenticated user through when no rules are configured', () => {
    expect(compileClaimRules([])({})).toBe(true);
  });
});
