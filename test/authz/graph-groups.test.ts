import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { GRAPH_FAILED } from '../../src/authz/bearer/bearer-check.js';
import { API_CLIENT_ID, APP_A, startEntraTenants, T1, type EntraTenants } from '../support/entra-tenants.js';
import { startBearerService, type BearerService } from '../support/bearer-service.js';
import { seedSession } from '../support/seed-session.js';

/** An emulated Microsoft Graph on loopback: getMemberGroups for olga, or a failure. */
interface Graph {
  readonly url: string;
  readonly calls: { path: string; aud: unknown; azp: unknown }[];
  fail: boolean;
  close(): Promise<void>;
}

async function startGraph(): Promise<Graph> {
  const calls: Graph['calls'] = [];
  const graph = { calls, fail: false } as Graph & { fail: boolean };
  const server = http.createServer((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const claims = token ? decodeJwt(token) : {};
    calls.push({ path: `${req.method} ${req.url}`, aud: claims.aud, azp: claims.azp });
    if (graph.fail || !token) {
      res.writeHead(graph.fail ? 503 : 401).end();
      return;
    }
    const member = req.url === '/v1.0/users/oid-olga/getMemberGroups' ? ['g-other', 'g-api-users'] : [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: member }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return Object.assign(graph, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

let tenants: EntraTenants;
let graph: Graph;
let s: BearerService;

beforeAll(async () => {
  tenants = await startEntraTenants();
  graph = await startGraph();
  s = await startBearerService({ ENTRA_GROUPS_OVERAGE: 'graph', ENTRA_GRAPH_URL: graph.url }, tenants);
});
afterAll(async () => {
  await s?.close();
  await graph?.close();
  await tenants?.close();
});

describe('groups overage with ENTRA_GROUPS_OVERAGE=graph', () => {
  it('resolves the groups of a user in overage through Graph with the app’s own token, once per user', async () => {
    const first = await s.forward('/orders', { token: await tenants.userToken(T1, APP_A, 'olga') });
    expect(first.status).toBe(200);
    expect(first.headers['x-forwarded-user']).toBe('Olga Overage');
    expect(graph.calls).toEqual([
      { path: 'POST /v1.0/users/oid-olga/getMemberGroups', aud: graph.url, azp: API_CLIENT_ID },
    ]);
    const second = await s.forward('/orders', { token: await tenants.userToken(T1, APP_A, 'olga') });
    expect(second.status).toBe(200);
    expect(graph.calls).toHaveLength(1);
  });

  it('never calls Graph for a token that lists its groups', async () => {
    const before = graph.calls.length;
    expect((await s.forward('/orders', { token: await tenants.userToken(T1, APP_A, 'bob') })).status).toBe(403);
    expect(graph.calls).toHaveLength(before);
  });

  it('denies with a logged reason when Graph fails', async () => {
    const other = await startBearerService({ ENTRA_GROUPS_OVERAGE: 'graph', ENTRA_GRAPH_URL: graph.url }, tenants);
    graph.fail = true;
    try {
      const res = await other.forward('/orders', { token: await tenants.userToken(T1, APP_A, 'olga') });
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
      expect(other.logs.join('')).toContain(GRAPH_FAILED);
    } finally {
      graph.fail = false;
      await other.close();
    }
  });

  it('also resolves an id_token session in overage for ASSERT_CLAIMS on groups; without graph it is refused and logged', async () => {
    const rules = JSON.stringify([
      { name: 'tid', anyOf: [T1] },
      { name: 'groups', anyOf: ['g-api-users'] },
    ]);
    const claims = { sub: 'olga', oid: 'oid-olga', tid: T1, name: 'Olga Overage', _claim_names: { groups: 'src1' } };
    for (const [overage, status] of [
      ['graph', 200],
      ['deny', 403],
    ] as const) {
      const svc = await startBearerService(
        { ENTRA_GROUPS_OVERAGE: overage, ENTRA_GRAPH_URL: graph.url, ASSERT_CLAIMS: rules },
        tenants,
      );
      try {
        const { cookie } = await seedSession(svc.service.sessions, { claims });
        const res = await svc.forward('/orders', { headers: { Cookie: cookie } });
        expect({ overage, status: res.status }).toEqual({ overage, status });
        if (status === 200) expect(res.headers['x-forwarded-user']).toBe('Olga Overage');
        else expect(svc.logs.join('')).toContain('groups_overage_denied');
      } finally {
        await svc.close();
      }
    }
  });
});
