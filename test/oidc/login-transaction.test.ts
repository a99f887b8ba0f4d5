import { describe, expect, it } from '@jest/globals';
import { LoginTransactions, type LoginTransaction } from '../../src/oidc/login-transaction.js';
import { parseCookies } from '../../src/session/cookies.js';
import { cookieHeader } from '../support/harness.js';

const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const policy = { secure: true, sameSite: 'Lax' as const };
const app = { issuer: 'https://login.example/tenant/v2.0', clientId: 'app-one', domain: 'one.example.com' };
const tx: LoginTransaction = { state: 'state-1', nonce: 'nonce-1', codeVerifier: 'verifier-1', returnTo: '/reports' };

function transactions(secrets: string[], changes: Partial<typeof app> = {}, prefix = '_idp_'): LoginTransactions {
  return new LoginTransactions(secrets, prefix, policy, { ...app, ...changes });
}

async function begun(by: LoginTransactions): Promise<Record<string, string | undefined>> {
  return parseCookies(cookieHeader(await by.begin(tx, {})));
}

describe('login transaction cookies', () => {
  it('are found again by the app that made them', async () => {
    const ours = transactions([A]);
    expect(await ours.find('state-1', await begun(ours))).toEqual(tx);
  });

  it.each([
    ['client id', { clientId: 'app-two' }],
    ['issuer', { issuer: 'https://login.example/other/v2.0' }],
    ['domain', { domain: 'two.example.com' }],
  ])('are no transaction for an app with the same secret and another %s', async (_what, changes) => {
    const cookies = await begun(transactions([A]));
    expect(await transactions([A], changes).find('state-1', cookies)).toBeUndefined();
  });

  it('are no transaction under another cookie prefix, even renamed to match', async () => {
    const cookies = await begun(transactions([A], {}, '_one_'));
    const renamed = Object.fromEntries(
      Object.entries(cookies).map(([name, value]) => [name.replace('_one_', '_two_'), value]),
    );
    expect(await transactions([A], {}, '_two_').find('state-1', renamed)).toBeUndefined();
  });

  it('survive a secret rotation: made under A, found under [B, A]; new ones are made with B', async () => {
    const old = await begun(transactions([A]));
    expect(await transactions([B, A]).find('state-1', old)).toEqual(tx);
    const fresh = await begun(transactions([B, A]));
    expect(await transactions([B]).find('state-1', fresh)).toEqual(tx);
    expect(await transactions([B]).find('state-1', old)).toBeUndefined();
  });
});
