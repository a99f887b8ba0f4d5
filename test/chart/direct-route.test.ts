// The opt-in direct route: exactly the paths forwardAuth cannot serve, to the service, without forwardAuth.
import { describe, expect, it } from '@jest/globals';
import { render, template, validateObject, type K8sObject } from './helm.js';

const PATHS = ['/oauth2/logout/backchannel', '/oauth2/session', '/oauth2/session/refresh'];
const team = 'existing-team-values.yaml';
const routes = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'IngressRoute' || o.kind === 'Ingress');

describe('directRoute', () => {
  it('renders nothing by default', async () => {
    expect(routes(await render({ valuesFiles: [team] }))).toEqual([]);
  });

  it('renders a valid Traefik IngressRoute for exactly the three paths on the domain, without any middleware', async () => {
    const objects = await render({
      valuesFiles: [team],
      values: { directRoute: { enabled: true, entryPoints: ['websecure'], tlsSecretName: 'myapp-tls' } },
    });
    const [route, ...rest] = routes(objects);
    expect(rest).toEqual([]);
    validateObject(route);
    expect(route.metadata.name).toBe('myapp-oidc-direct');
    expect(route.spec).toEqual({
      entryPoints: ['websecure'],
      routes: [
        {
          kind: 'Rule',
          match:
            'Host(`myapp.my-namespace.idp.jppol.dk`) && (Path(`/oauth2/logout/backchannel`) || Path(`/oauth2/session`) || Path(`/oauth2/session/refresh`))',
          priority: 1000,
          services: [{ name: 'myapp-oidc', port: 4180 }],
        },
      ],
      tls: { secretName: 'myapp-tls' },
    });
  });

  it('renders a valid Ingress with Exact paths instead when kind is Ingress, the port dropped from the host', async () => {
    const objects = await render({
      valuesFiles: [team],
      values: {
        domain: 'myapp.example.test:8443',
        directRoute: { enabled: true, kind: 'Ingress', ingressClassName: 'traefik', priority: 500 },
      },
    });
    const [ingress] = routes(objects);
    validateObject(ingress);
    expect(ingress.metadata.annotations?.['traefik.ingress.kubernetes.io/router.priority']).toBe('500');
    expect(ingress.metadata.annotations?.['traefik.ingress.kubernetes.io/router.middlewares']).toBeUndefined();
    expect(ingress.spec.ingressClassName).toBe('traefik');
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec.rules).toEqual([
      {
        host: 'myapp.example.test',
        http: {
          paths: PATHS.map((path) => ({
            path,
            pathType: 'Exact',
            backend: { service: { name: 'myapp-oidc', port: { number: 4180 } } },
          })),
        },
      },
    ]);
  });

  it.each([
    [{ enable: true }, "additional properties 'enable' not allowed"],
    [{ kind: 'Gateway' }, 'kind'],
    [{ priority: 0 }, 'priority'],
  ])('refuses %j', async (directRoute, message) => {
    const result = await template({ valuesFiles: [team], values: { directRoute } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
