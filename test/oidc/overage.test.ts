import { describe, expect, it } from '@jest/globals';
import { overageClaims } from '../../src/oidc/oidc-client.js';

describe('overageClaims', () => {
  it('names the claims Entra ID moved out of the token on groups overage', () => {
    const claims = {
      sub: 'u',
      _claim_names: { groups: 'src1' },
      _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/u/getMemberObjects' } },
    };
    expect(overageClaims(claims)).toEqual(['groups']);
  });

  it('finds nothing in an ordinary token', () => {
    expect(overageClaims({ sub: 'u', groups: ['a'] })).toEqual([]);
    expect(overageClaims({ sub: 'u', _claim_names: 'odd' })).toEqual([]);
  });
});
