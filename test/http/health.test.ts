import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { fakeClock } from '../support/fake-clock.js';
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
    const clock = fakeClock();
    try {
      const cached = await h.login('alice');
      await h.forward('/', { cookie: cached }).expect(200); // now in the in-process cache
      const uncached = await h.login('alice');
      await h.redis?.stop();
      const ready = await supertest(h.baseUrl).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.problems).toContain('redis session store unreachable');
      // A session the cache does not hold must be read from redis.
      const read = await h.forward('/', { cookie: uncached, accept: 'application/json' });
      expect(read.status).toBe(503);
      expect(read.body.error).toBe('session_store_unavailable');
      // A cached one is served until its use must be recorded in redis.
      clock.advance(120);
      const touch = await h.forward('/', { cookie: cached, accept: 'application/json' });
      expect(touch.status).toBe(503);
      expect(touch.body.error).toBe('session_store_unavailable');
      expect((await supertest(h.baseUrl).get('/healthz')).status).toBe(200);
    } finally {
      clock.restore();
    }
  });
});
