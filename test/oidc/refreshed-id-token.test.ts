import { describe, expect, it } from '@jest/globals';
import { refreshedIdTokenProblem } from '../../src/oidc/refreshed-id-token.js';

const stored = { iss: 'https://op.test', sub: 'alice', aud: 'app', iat: 1000, auth_time: 900, nonce: 'n-1', sid: 's' };

describe('refreshedIdTokenProblem (OIDC Core 12.2)', () => {
  it('accepts a token that continues the stored one, with or without the original nonce', () => {
    expect(refreshedIdTokenProblem(stored, { ...stored, iat: 2000 })).toBeUndefined();
    const { nonce: _nonce, ...withoutNonce } = stored;
    expect(refreshedIdTokenProblem(stored, { ...withoutNonce, iat: 1000 })).toBeUndefined();
    expect(refreshedIdTokenProblem({ ...stored, aud: ['b', 'app'] }, { ...stored, aud: ['app', 'b'] })).toBeUndefined();
  });

  it.each([
    ['iss', { iss: 'https://other.test' }],
    ['sub', { sub: 'mallory' }],
    ['aud', { aud: ['app', 'other'] }],
    ['azp', { azp: 'app' }],
    ['auth_time', { auth_time: 950 }],
    ['nonce', { nonce: 'n-2' }],
    ['iat', { iat: 999 }],
  ])('refuses a changed %s', (claim, change) => {
    expect(refreshedIdTokenProblem(stored, { ...stored, ...change })).toContain(claim);
  });

  it('refuses a token that drops the original auth_time', () => {
    const { auth_time: _a, ...rest } = stored;
    expect(refreshedIdTokenProblem(stored, rest)).toContain('auth_time');
  });
});
