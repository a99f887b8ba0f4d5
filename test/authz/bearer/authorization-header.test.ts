import { describe, expect, it } from '@jest/globals';
import { parseAuthorization } from '../../../src/authz/bearer/authorization-header.js';

describe('parseAuthorization (RFC 6750 §2.1)', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   abc', 'abc'],
    ['  Bearer a-b_c~d+e/f==  ', 'a-b_c~d+e/f=='],
  ])('%j carries the token', (value, token) => {
    expect(parseAuthorization(value)).toEqual({ kind: 'bearer', token });
  });

  it.each([
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Bearer a,b',
    'Bearer\tabc',
    'Bearer a=b',
    'Bearer "abc"',
    'Bearer abc;',
    'Bearer,abc',
    'Bearer=abc',
    'Bearer é',
  ])('%j is malformed', (value) => {
    expect(parseAuthorization(value)).toMatchObject({ kind: 'malformed' });
  });

  it('several Authorization headers with a Bearer one are malformed', () => {
    expect(parseAuthorization(['Bearer a', 'Bearer b'])).toMatchObject({ kind: 'malformed' });
    expect(parseAuthorization(['Bearer a'])).toEqual({ kind: 'bearer', token: 'a' });
  });

  it('no header, an empty one, or another scheme is not a bearer request', () => {
    expect(parseAuthorization(undefined)).toEqual({ kind: 'none' });
    expect(parseAuthorization('')).toEqual({ kind: 'none' });
    expect(parseAuthorization('Basic dXNlcjpwYXNz')).toEqual({ kind: 'other' });
    expect(parseAuthorization('Bearerish abc')).toEqual({ kind: 'other' });
    expect(parseAuthorization('DPoP abc')).toEqual({ kind: 'other' });
  });
});
