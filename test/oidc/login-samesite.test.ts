import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cookieHeader, signInAtProvider, startHarness, type Harness } from '../support/harness.js';

// The provider's redirect back is a cross-site navigation: a Strict transaction cookie
// would not be sent with it, and every login would fail.
describe('login with COOKIE_SAMESITE=Strict', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { COOKIE_SAMESITE: 'Strict' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('sets the transaction cookie SameSite=Lax and the session cookie SameSite=Strict', async () => {
    const start = await h.forward('/reports').expect(302);
    const tx = start.headers['set-cookie'] as unknown as string[];
    expect(tx).toEqual([expect.stringMatching(/^_t_tx_[\w-]+=[^;]+;.*SameSite=Lax/)]);
    const callback = new URL(await signInAtProvider(start.headers.location ?? '', 'alice'));
    const done = await h.forward(callback.pathname + callback.search, { cookie: cookieHeader(tx) }).expect(302);
    const lines = done.headers['set-cookie'] as unknown as string[];
    expect(lines.filter((l) => l.startsWith('_t_session'))).toEqual([expect.stringMatching(/SameSite=Strict/)]);
    expect(lines.filter((l) => l.startsWith('_t_tx_'))).toEqual([expect.stringMatching(/Max-Age=0;.*SameSite=Lax/)]);
    expect((await h.forward('/reports', { cookie: cookieHeader(lines, cookieHeader(tx)) })).status).toBe(200);
  });
});
