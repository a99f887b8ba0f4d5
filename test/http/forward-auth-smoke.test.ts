import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../support/harness.js';

describe('smoke', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });
  it('logs in', async () => {
    const cookie = await h.login('alice', '/x?y=1');
    const res = await h.forward('/x', { cookie });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBe('Alice Andersen');
    expect(res.headers['x-forwarded-email']).toBe('alice@example.test');
  });
});
