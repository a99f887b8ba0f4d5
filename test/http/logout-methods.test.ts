import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { ORIGIN, startHarness, type Harness } from '../support/harness.js';

describe('logout by GET and by POST', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'memory' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('ends the session on a POST through forwardAuth (X-Forwarded-Method: POST)', async () => {
    const cookie = await h.login('alice');
    const res = await h.forward('/oauth2/logout', { cookie, method: 'POST', headers: { Origin: ORIGIN } });
    expect(res.status).toBe(302);
    expect((await h.forward('/', { cookie, accept: 'application/json' })).status).toBe(401);
  });

  it('ends the session on a POST called directly', async () => {
    const cookie = await h.login('alice');
    const res = await supertest(h.baseUrl).post('/oauth2/logout').set('Cookie', cookie).send('a=b');
    expect(res.status).toBe(302);
    expect((await h.forward('/', { cookie, accept: 'application/json' })).status).toBe(401);
  });

  it('still ends the session on a GET, for compatibility', async () => {
    const cookie = await h.login('alice');
    expect((await supertest(h.baseUrl).get('/oauth2/logout').set('Cookie', cookie)).status).toBe(302);
    expect((await h.forward('/', { cookie, accept: 'application/json' })).status).toBe(401);
  });

  it('refuses a cross-site POST with 400 and keeps the session', async () => {
    const cookie = await h.login('alice');
    const foreign = await h.forward('/oauth2/logout', {
      cookie,
      method: 'POST',
      accept: 'application/json',
      headers: { Origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(400);
    const marked = await supertest(h.baseUrl)
      .post('/oauth2/logout')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'cross-site');
    expect(marked.status).toBe(400);
    expect((await h.forward('/', { cookie })).status).toBe(200);
  });
});
