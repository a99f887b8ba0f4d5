import { describe, expect, it } from '@jest/globals';
import { displayName, isEntraIssuer, stableSubject, verifiedEmail } from '../../src/gate/identity-claims.js';

const ISS = 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0';

describe('isEntraIssuer', () => {
  it('recognises login.microsoftonline.com, whatever the tenant', () => {
    expect(isEntraIssuer(new URL(ISS))).toBe(true);
    expect(isEntraIssuer(new URL('https://LOGIN.microsoftonline.com/contoso.onmicrosoft.com/v2.0'))).toBe(true);
  });

  it('recognises the national clouds, the v1 issuer and External ID, given as URL or as a token’s iss', () => {
    for (const iss of [
      'https://login.microsoftonline.us/t/v2.0',
      'https://sts.windows.net/11111111-2222-3333-4444-555555555555/',
      'https://contoso.ciamlogin.com/t/v2.0',
    ]) {
      expect(isEntraIssuer(new URL(iss))).toBe(true);
      expect(isEntraIssuer(iss)).toBe(true);
    }
    expect(isEntraIssuer(ISS)).toBe(true);
  });

  it('is false for an iss that is no URL, or no string', () => {
    for (const iss of ['not a url', '', undefined, 42, { host: 'login.microsoftonline.com' }]) {
      expect(isEntraIssuer(iss)).toBe(false);
    }
  });

  it('does not mistake look-alike or other providers for Entra', () => {
    for (const url of [
      'https://login.microsoftonline.com.evil.test/t/v2.0',
      'https://accounts.google.com',
      'https://keycloak.test/realms/x',
    ]) {
      expect(isEntraIssuer(new URL(url))).toBe(false);
    }
  });
});

describe('stableSubject', () => {
  it('uses Entra’s object id when present, as it is the same in every app of the tenant', () => {
    expect(stableSubject({ sub: 'pairwise-sub', oid: 'object-id' }, true)).toBe('object-id');
  });

  it('falls back to sub for Entra without oid, and uses sub for every other provider', () => {
    expect(stableSubject({ sub: 'pairwise-sub' }, true)).toBe('pairwise-sub');
    expect(stableSubject({ sub: 'sub-1', oid: 'not-an-entra-claim' }, false)).toBe('sub-1');
  });

  it('differs for two users who share a display name', () => {
    const a = { sub: 'a', name: 'Jens Hansen' };
    const b = { sub: 'b', name: 'Jens Hansen' };
    expect(displayName(a)).toBe(displayName(b));
    expect(stableSubject(a, false)).not.toBe(stableSubject(b, false));
  });
});

describe('verifiedEmail', () => {
  it('uses email when the provider does not mark it unverified', () => {
    expect(verifiedEmail({ email: 'a@x.test' }, false)).toBe('a@x.test');
    expect(verifiedEmail({ email: 'a@x.test', email_verified: true }, false)).toBe('a@x.test');
    expect(verifiedEmail({ email: 'a@x.test' }, true)).toBe('a@x.test');
  });

  it('never uses an email marked unverified, nor falls back for providers that do not vouch for usernames', () => {
    expect(
      verifiedEmail({ email: 'a@x.test', email_verified: false, preferred_username: 'a@x.test' }, false),
    ).toBeUndefined();
    expect(verifiedEmail({ email: 'a@x.test', email_verified: 'false' }, false)).toBeUndefined();
  });

  it('does not read another provider’s preferred_username or upn as an email', () => {
    expect(verifiedEmail({ preferred_username: 'a@x.test' }, false)).toBeUndefined();
    expect(verifiedEmail({ upn: 'a@corp.test' }, false)).toBeUndefined();
  });

  it('falls back to preferred_username, then upn, for an Entra tenant member', () => {
    expect(verifiedEmail({ iss: ISS, preferred_username: 'a@corp.test', upn: 'u@corp.test' }, true)).toBe(
      'a@corp.test',
    );
    expect(verifiedEmail({ iss: ISS, upn: 'u@corp.test' }, true)).toBe('u@corp.test');
    expect(verifiedEmail({ iss: ISS, idp: ISS, acct: 0, upn: 'u@corp.test' }, true)).toBe('u@corp.test');
    expect(verifiedEmail({ iss: ISS, preferred_username: '+4512345678', upn: 'u@corp.test' }, true)).toBe(
      'u@corp.test',
    );
  });

  it('falls back for an Entra member whose email is unverified, never to that email', () => {
    expect(
      verifiedEmail({ iss: ISS, email: 'spoof@other.test', email_verified: false, upn: 'u@corp.test' }, true),
    ).toBe('u@corp.test');
    expect(verifiedEmail({ iss: ISS, email: 'spoof@other.test', xms_edov: false, upn: 'u@corp.test' }, true)).toBe(
      'u@corp.test',
    );
  });

  it('does not fall back for Entra guests, whose usernames their home provider chose', () => {
    expect(
      verifiedEmail(
        {
          iss: ISS,
          idp: 'https://sts.windows.net/99999999-0000-0000-0000-000000000000/',
          preferred_username: 'g@home.test',
        },
        true,
      ),
    ).toBeUndefined();
    expect(
      verifiedEmail({ iss: ISS, idp: 'live.com', upn: 'g_home.test#EXT#@corp.onmicrosoft.com' }, true),
    ).toBeUndefined();
    expect(verifiedEmail({ iss: ISS, acct: 1, preferred_username: 'g@home.test' }, true)).toBeUndefined();
  });

  it('sends none when nothing qualifies', () => {
    expect(verifiedEmail({ iss: ISS, preferred_username: 'no-at-sign' }, true)).toBeUndefined();
    expect(verifiedEmail({}, false)).toBeUndefined();
  });
});
