import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { load, loadAll } from 'js-yaml';
import { named, one, render, repoRoot, type K8sObject } from '../chart/helm.js';
import { CASES, separatorSpellings } from '../support/header-spellings.js';

const examples = path.join(repoRoot, 'examples');
const read = (file: string) => readFileSync(path.join(examples, file), 'utf8');

/** The `helm upgrade --install <release> <chart> --namespace <ns> --set domain=<host> … existingSecret=<name>` the examples document. */
function documentedInstall(): { release: string; namespace: string; domain: string; existingSecret: string } {
  const m = /helm upgrade --install (\S+) charts\/idp-oidc-middleware --namespace (\S+) --set domain=(\S+)/.exec(
    read('kubernetes/ingress.yaml'),
  );
  if (!m) throw new Error('examples/kubernetes/ingress.yaml no longer documents the helm command');
  const secret = /--set existingSecret=(\S+)/.exec(read('kubernetes/ingress.yaml'));
  return { release: m[1] ?? '', namespace: m[2] ?? '', domain: m[3] ?? '', existingSecret: secret?.[1] ?? '' };
}

/** Compose's `${NAME:-default}` interpolation, with the defaults. */
const interpolate = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1').replace(/\$\$/g, '$');

describe('Kubernetes examples', () => {
  const install = documentedInstall();
  const ingress = loadAll(read('kubernetes/ingress.yaml')) as K8sObject[];
  const route = load(read('kubernetes/ingressroute.yaml')) as K8sObject;

  it('reference the Middleware the chart renders for the documented release and namespace', async () => {
    const middleware = named(
      await render({
        release: install.release,
        namespace: install.namespace,
        values: { domain: install.domain, existingSecret: install.existingSecret },
      }),
      'Middleware',
      install.release,
    );
    const annotation = one(ingress, 'Ingress').metadata.annotations?.[
      'traefik.ingress.kubernetes.io/router.middlewares'
    ];
    expect(annotation?.split(',').map((s) => s.trim())).toContain(
      `${middleware.metadata.namespace}-${middleware.metadata.name}@kubernetescrd`,
    );
    expect(route.spec.routes[0].middlewares).toContainEqual({
      name: middleware.metadata.name,
      namespace: middleware.metadata.namespace,
    });
    expect(middleware.spec.forwardAuth.address).toBe(
      `http://${install.release}.${install.namespace}.svc.cluster.local:4180/oauth2/auth`,
    );
  }, 60_000);

  it('route the same host as the chart’s domain, in the namespace the release lives in', () => {
    const rule = one(ingress, 'Ingress').spec.rules[0];
    expect(rule.host).toBe(install.domain);
    expect(route.spec.routes[0].match).toBe(`Host(\`${install.domain}\`)`);
    for (const object of [one(ingress, 'Ingress'), route]) expect(object.metadata.namespace).toBe(install.namespace);
    expect(rule.http.paths[0]).toMatchObject({ path: '/', pathType: 'Prefix' });
  });
});

describe('docker-compose example', () => {
  const compose = load(read('docker-compose/docker-compose.yaml')) as {
    services: Record<string, { image?: string; environment?: Record<string, string>; labels?: string[] }>;
  };
  const labels = (service: string) =>
    Object.fromEntries(
      (compose.services[service]?.labels ?? []).map((l) => [
        l.slice(0, l.indexOf('=')),
        interpolate(l.slice(l.indexOf('=') + 1)),
      ]),
    );
  const auth = labels('idp-oidc-middleware');
  const middlewares = Object.keys(auth)
    .filter((k) => k.endsWith('.forwardauth.address'))
    .map((k) => k.split('.')[3]);

  it('runs Traefik v3, the service, Redis and a demo app', () => {
    expect(compose.services.traefik?.image).toMatch(/^traefik:v3(\.|$)/);
    expect(compose.services['idp-oidc-middleware']?.environment).toMatchObject({
      SESSION_STORE: 'redis',
      REDIS_URL: 'redis://redis:6379',
    });
    expect(compose.services.redis?.image).toMatch(/^redis:/);
    expect(compose.services.app?.labels).toBeDefined();
  });

  it('points forwardAuth at the service’s own name, port and /oauth2/auth, without trusting client X-Forwarded headers', () => {
    expect(middlewares).toEqual(['sso']);
    const env = compose.services['idp-oidc-middleware']?.environment ?? {};
    expect(auth['traefik.http.middlewares.sso.forwardauth.address']).toBe(
      `http://idp-oidc-middleware:${env.PORT}/oauth2/auth`,
    );
    expect(auth['traefik.http.middlewares.sso.forwardauth.trustForwardHeader']).toBe('false');
    expect(auth['traefik.http.middlewares.sso.forwardauth.authResponseHeaders']?.split(',')).toEqual([
      'X-Forwarded-User',
      'X-Forwarded-Email',
      'X-Forwarded-Subject',
    ]);
  });

  it('makes Traefik drop every spelling of the identity headers a client sends (case, `_` for `-`)', () => {
    const source = auth['traefik.http.middlewares.sso.forwardauth.authResponseHeadersRegex'] ?? '';
    expect(source.startsWith('(?i)')).toBe(true);
    const re = new RegExp(source.slice(4), 'i');
    const names = ['X-Forwarded-User', 'X-Forwarded-Email', 'X-Forwarded-Subject']
      .flatMap(separatorSpellings)
      .flatMap((s) => CASES.map((c) => c.apply(s)));
    expect(names.filter((n) => !re.test(n))).toEqual([]);
    expect(['X-Forwarded-Host', 'X-Forwarded-Users', 'X-Forwarded-For'].filter((n) => re.test(n))).toEqual([]);
  });

  it('puts the app’s router behind that middleware, on the host the service is configured for', () => {
    const app = labels('app');
    expect(app['traefik.http.routers.app.middlewares']).toBe('sso@docker');
    const domain = interpolate(compose.services['idp-oidc-middleware']?.environment?.DOMAIN ?? '');
    expect(app['traefik.http.routers.app.rule']).toBe(`Host(\`${domain}\`)`);
  });
});
