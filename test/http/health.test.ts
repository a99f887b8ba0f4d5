import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { startHarness, type Harness } from '../support/harness.js';

describe('health and readiness', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'redis' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers /healthz while the process is up', async () => {
    const res = await supertest(h.baseUrl).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is ready once provider metadata is loaded and redis answers', async () => {
    const res = await supertest(h.baseUrl).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
  });

  it('is not ready, and fetch checks get 503 rather than a crash, while redis is down', async () => {
    const cookie = await h.login('alice');
    await h.redis?.stop();
    const ready = await supertest(h.baseUrl).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.problems).toContain('redis session store unreachable');
    await new Promise((r) => setTimeout(r, 5100)); // let the in-process cache entry lapse
    const check = await h.forward('/', { cookie, accept: 'application/json' });
    expect(check.status).toBe(503);
    expect(check.body.error).toBe('session_store_unavailable');
    expect((await supertest(h.baseUrl).get('/healthz')).status).toBe(200);
  });
});
