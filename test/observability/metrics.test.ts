import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { startHarness, type Harness } from '../support/harness.js';
import { sample } from './metrics-text.js';

const metricsText = async (h: Harness): Promise<string> =>
  (await supertest(h.probeUrl).get('/metrics').expect(200)).text;

describe('/metrics counts what the service did', () => {
  let h: Harness;
  let text: string;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        ASSERT_CLAIMS: JSON.stringify([{ name: 'groups', anyOf: ['demo-users'] }]),
        BYPASS_PATHS: '/public/health',
      },
    });
    const alice = await h.login('alice', '/home');
    await h.forward('/home', { cookie: alice }).expect(200);
    await h.forward('/home', { cookie: alice }).expect(200);
    const bob = await h.login('bob', '/home');
    await h.forward('/home', { cookie: bob }).expect(403);
    await h.forward('/api/items', { accept: 'application/json', headers: { 'Sec-Fetch-Mode': 'cors' } }).expect(401);
    await h.forward('/public/health').expect(200);
    await h.forward('/oauth2/callback?code=made-up&state=never-started').expect(400);
    await supertest(h.baseUrl).get('/oauth2/auth').set('X-Forwarded-Uri', '/x').expect(400);
    text = await metricsText(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts allowed checks', () => {
    expect(sample(text, 'idp_checks_total', { outcome: 'allowed' })).toBe(2);
  });

  it('counts a login redirect for each navigation without a session', () => {
    expect(sample(text, 'idp_checks_total', { outcome: 'login_redirect' })).toBe(2);
  });

  it('counts 401 for a script request without a session', () => {
    expect(sample(text, 'idp_checks_total', { outcome: 'unauthenticated' })).toBe(1);
  });

  it('counts 403 for a user whose claims fail ASSERT_CLAIMS', () => {
    expect(sample(text, 'idp_checks_total', { outcome: 'forbidden' })).toBe(1);
  });

  it('counts bypass paths', () => {
    expect(sample(text, 'idp_checks_total', { outcome: 'bypass' })).toBe(1);
  });

  it('counts errors: a failed callback and a request without X-Forwarded-Host', () => {
    expect(sample(text, 'idp_checks_total', { outcome: 'error' })).toBe(2);
  });

  it('counts completed callbacks as flow', () => {
    expect(sample(text, 'idp_checks_total', { outcome: 'flow' })).toBe(2);
  });

  it('observes the latency of every check in the histogram', () => {
    const total = ['allowed', 'login_redirect', 'unauthenticated', 'forbidden', 'bypass', 'error', 'flow'].reduce(
      (sum, outcome) => sum + sample(text, 'idp_checks_total', { outcome }),
      0,
    );
    expect(sample(text, 'idp_check_duration_seconds_count')).toBe(total);
    expect(sample(text, 'idp_check_duration_seconds_bucket', { le: '+Inf' })).toBe(total);
    expect(sample(text, 'idp_check_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('counts logins started, completed and failed with the reason', () => {
    expect(sample(text, 'idp_logins_total', { stage: 'started' })).toBe(2);
    expect(sample(text, 'idp_logins_total', { stage: 'completed' })).toBe(2);
    expect(sample(text, 'idp_logins_total', { stage: 'failed', reason: 'LOGIN_EXPIRED' })).toBe(1);
  });

  it('times the calls to the provider', () => {
    expect(sample(text, 'idp_provider_request_duration_seconds_count', { operation: 'discovery' })).toBe(1);
    expect(sample(text, 'idp_provider_request_duration_seconds_count', { operation: 'token' })).toBe(2);
  });

  it('reports session cache lookups and the hit ratio', () => {
    const hits = sample(text, 'idp_session_cache_lookups_total', { result: 'hit' });
    const misses = sample(text, 'idp_session_cache_lookups_total', { result: 'miss' });
    expect(hits).toBeGreaterThanOrEqual(1);
    expect(misses).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'idp_session_cache_hit_ratio')).toBeCloseTo(hits / (hits + misses), 5);
  });

  it('counts logouts', async () => {
    const carol = await h.login('alice', '/');
    await h.forward('/oauth2/logout', { cookie: carol }).expect(302);
    expect(sample(await metricsText(h), 'idp_logouts_total')).toBe(1);
  });
});

describe('/metrics with the redis store', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'redis' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts session store errors when redis is down', async () => {
    const cookie = await h.login('alice', '/');
    await h.redis?.stop();
    await h.forward('/', { cookie }).expect(503);
    expect(sample(await metricsText(h), 'idp_session_store_errors_total', { operation: 'get' })).toBe(1);
  });
});
