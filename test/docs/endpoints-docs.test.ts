import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as servicePaths from '../../src/gate/paths.js';
import { probeRoutes, publicRoutes, type Handlers, type RouteTable } from '../../src/http/routes.js';
import { TEXAS_PATHS } from '../../src/token-api/texas-routes.js';

const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** One row of the `## Endpoints` table. */
interface Row {
  readonly path: string;
  readonly methods: string;
  readonly listener: string;
  readonly served: string;
}

/** The rows of the table under `## Endpoints`, the first backticked path of each Path cell. */
function endpointRows(): Row[] {
  const section = docs.slice(docs.indexOf('\n## Endpoints\n'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('\n|')));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Path '))
    .map((line) => {
      const [path = '', methods = '', listener = '', , served = ''] = line
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      return { path: /^`(\/[^`]*)`/.exec(path)?.[1] ?? path, methods, listener, served };
    });
}

const rows = endpointRows();

/** The Microsoft identity sidecar routes on the token API listener (`src/token-api/sidecar-routes.ts`). */
const SIDECAR_API_PATHS = [
  '/Validate',
  '/AuthorizationHeader/{name}',
  '/AuthorizationHeaderUnauthenticated/{name}',
  '/DownstreamApi/{name}',
  '/DownstreamApiUnauthenticated/{name}',
];
const handler = (): void => undefined;
const handlers: Handlers = {
  forwardAuth: handler,
  flow: handler,
  healthz: handler,
  readyz: handler,
  metrics: handler,
  backchannelLogout: handler,
};
const defaults = servicePaths.resolvePaths({
  loginPath: servicePaths.DEFAULT_LOGIN_PATH,
  callbackPath: servicePaths.DEFAULT_CALLBACK_PATH,
  logoutPath: servicePaths.DEFAULT_LOGOUT_PATH,
});

/** Every route of a table, as the docs must list it. */
function routesOf(table: RouteTable): { path: string; methods: readonly string[] | undefined }[] {
  return [...table].map(([path, route]) => ({ path, methods: route.methods }));
}

function rowsFor(path: string, listener: string): Row[] {
  return rows.filter((row) => row.path === path && row.listener.startsWith(listener));
}

describe('the endpoints table in docs/configuration.md', () => {
  it('is found and has a row per path and listener', () => {
    expect(rows.length).toBeGreaterThan(15);
  });

  it('lists every path declared in src/gate/paths.ts', () => {
    const declared = Object.entries(servicePaths)
      .filter(([name, value]) => name.endsWith('_PATH') && typeof value === 'string')
      .map(([, value]) => value as string);
    expect(declared.length).toBeGreaterThan(10);
    const documented = new Set(rows.map((row) => row.path));
    expect(declared.filter((path) => !documented.has(path))).toEqual([]);
  });

  it('marks exactly the paths in NOT_YET_SERVED as not yet served on the public listener', () => {
    for (const path of servicePaths.NOT_YET_SERVED) {
      expect(rowsFor(path, 'public').map((row) => row.served)).toEqual(['not yet']);
    }
    const notYet = rows.filter((row) => row.listener.startsWith('public') && row.served.startsWith('not yet'));
    expect(notYet.map((row) => row.path).sort()).toEqual([...servicePaths.NOT_YET_SERVED].sort());
  });

  it.each([
    ['public (forwardAuth mode)', 'public', publicRoutes(defaults, false, handlers)],
    ['public (sidecar mode)', 'public', publicRoutes(defaults, true, handlers)],
    ['probe', 'probe', probeRoutes(handlers)],
  ])('lists every route of the %s listener as served, with its methods', (_name, listener, table) => {
    for (const { path, methods } of routesOf(table)) {
      const found = rowsFor(path, listener).filter((row) => row.served === 'yes');
      expect({ path, found: found.length > 0 }).toEqual({ path, found: true });
      for (const method of methods ?? []) {
        expect({ path, method, listed: found.some((row) => row.methods.includes(method)) }).toEqual({
          path,
          method,
          listed: true,
        });
      }
    }
  });

  it('lists every token API path on the token API listener', () => {
    for (const path of Object.values(TEXAS_PATHS)) {
      expect({ path, rows: rowsFor(path, 'token API').length }).toEqual({ path, rows: 1 });
    }
  });

  it('lists no path the code does not know', () => {
    const known = new Set<string>([
      ...Object.values(servicePaths).flatMap((value) => (typeof value === 'string' ? [value] : [])),
      `${servicePaths.OAUTH2_PREFIX}${servicePaths.HEALTHZ_PATH}`,
      ...Object.values(TEXAS_PATHS),
      ...SIDECAR_API_PATHS,
      'any other path',
    ]);
    expect(rows.map((row) => row.path).filter((path) => !known.has(path))).toEqual([]);
  });
});
