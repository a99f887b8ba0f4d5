// What the rendered objects must say: the Middleware ingresses reference, the secret
// wiring, probes and the pod's security settings.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { named, one, render, type K8sObject } from './helm.js';

let team: K8sObject[];
let all: K8sObject[];

beforeAll(async () => {
  [team, all] = await Promise.all([
    render({ valuesFiles: ['existing-team-values.yaml'] }),
    render({ valuesFiles: ['all-options-values.yaml'] }),
  ]);
});

const cookies = (p: string) => [`${p}session`, ...[1, 2, 3, 4, 5].map((i) => `${p}session_${i}`)];
const container = (objects: K8sObject[]) => one(objects, 'Deployment').spec.template.spec.containers[0];

describe('Traefik Middleware', () => {
  it('is a forwardAuth named after the release that calls the service in-cluster', () => {
    const mw = named(team, 'Middleware', 'myapp-oidc');
    expect(mw.apiVersion).toBe('traefik.io/v1alpha1');
    expect(mw.spec).toEqual({
      forwardAuth: {
        address: 'http://myapp-oidc.my-namespace.svc.cluster.local:4180/oauth2/auth',
        trustForwardHeader: false,
        authResponseHeaders: [
          'X-Forwarded-User',
          'X-Forwarded-Email',
          'X-Forwarded-Subject',
          'X-Forwarded-Client-Id',
          'X-Forwarded-Client-Name',
        ],
        authResponseHeadersRegex:
          '(?i)^(?:X[-_]Forwarded[-_]User|X[-_]Forwarded[-_]Email|X[-_]Forwarded[-_]Subject|X[-_]Forwarded[-_]Client[-_]Id|X[-_]Forwarded[-_]Client[-_]Name)$',
        addAuthCookiesToResponse: cookies('_MyApp_'),
      },
    });
  });

  it('lists every custom header and the authorization header so client copies are stripped', () => {
    const fa = named(all, 'Middleware', 'app-sso').spec.forwardAuth;
    expect(fa.address).toBe('http://app-sso.my-namespace.svc.cluster.local:4180/oauth2/auth');
    expect(fa.authResponseHeaders).toEqual([
      'X-Forwarded-User',
      'X-Forwarded-Email',
      'X-Forwarded-Subject',
      'X-Forwarded-Client-Id',
      'X-Forwarded-Client-Name',
      'X-Auth-Request-Email',
      'X-Auth-Groups',
      'X-Id-Token',
      'Authorization',
    ]);
    expect(fa.addAuthCookiesToResponse).toEqual(cookies('_App_'));
  });

  it('derives the cookie names from _<release>_ when cookieNamePrefix is empty', async () => {
    const objects = await render({ release: 'billing', valuesFiles: ['existing-secret-values.yaml'] });
    expect(named(objects, 'Middleware', 'billing').spec.forwardAuth.addAuthCookiesToResponse).toEqual(
      cookies('_billing_'),
    );
    expect(one(objects, 'ConfigMap').data!.COOKIE_NAME_PREFIX).toBe('_billing_');
  });
});

describe('ExternalSecret', () => {
  it('maps three separate remote secrets to the three secret keys', () => {
    const es = one(team, 'ExternalSecret');
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
      target: { name: 'myapp-oidc', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'client_id', remoteRef: { key: 'customer/my-namespace/myapp-oidc-client-id' } },
        { secretKey: 'client_secret', remoteRef: { key: 'customer/my-namespace/myapp-oidc-client-secret' } },
        { secretKey: 'session_secret', remoteRef: { key: 'customer/my-namespace/myapp-oidc-session-secret' } },
      ],
    });
  });

  it('reads the JSON properties of one remote secret under its path', async () => {
    const es = one(await render({ valuesFiles: ['single-remote-secret-values.yaml'] }), 'ExternalSecret');
    expect(es.spec.secretStoreRef).toEqual({ name: 'team-a-store', kind: 'SecretStore' });
    expect(es.spec.refreshInterval).toBe('15m');
    expect(es.spec.data).toEqual([
      { secretKey: 'client_id', remoteRef: { key: 'customer/team-a/portal-oidc', property: 'id' } },
      { secretKey: 'client_secret', remoteRef: { key: 'customer/team-a/portal-oidc', property: 'secret' } },
      { secretKey: 'session_secret', remoteRef: { key: 'customer/team-a/portal-oidc', property: 'cookie_key' } },
    ]);
  });

  it('maps the remote list of session secrets to session_secrets when sessionSecrets.enabled', async () => {
    const separate = one(await render({ valuesFiles: ['session-secret-rotation-values.yaml'] }), 'ExternalSecret');
    expect(separate.spec.data).toEqual([
      { secretKey: 'client_id', remoteRef: { key: 'customer/team-e/shop-oidc-client-id' } },
      { secretKey: 'client_secret', remoteRef: { key: 'customer/team-e/shop-oidc-client-secret' } },
      { secretKey: 'session_secrets', remoteRef: { key: 'customer/team-e/shop-oidc-session-secrets' } },
    ]);
    const single = one(
      await render({
        valuesFiles: ['single-remote-secret-values.yaml'],
        values: { sessionSecrets: { enabled: true } },
      }),
      'ExternalSecret',
    );
    expect(single.spec.data[2]).toEqual({
      secretKey: 'session_secrets',
      remoteRef: { key: 'customer/team-a/portal-oidc', property: 'session_secrets' },
    });
  });

  it('carries forceSync as an annotation so changing it re-syncs the secret', () => {
    expect(one(all, 'ExternalSecret').metadata.annotations).toEqual({ 'force-sync': '7' });
  });
});

describe('Deployment', () => {
  it('runs two replicas by default with config from the ConfigMap and secrets by key', () => {
    const dep = one(team, 'Deployment');
    expect(dep.spec.replicas).toBe(2);
    const c = container(team);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'myapp-oidc' } }]);
    expect(c.env).toEqual([
      { name: 'OIDC_CLIENT_ID', valueFrom: { secretKeyRef: { name: 'myapp-oidc', key: 'client_id' } } },
      { name: 'OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'myapp-oidc', key: 'client_secret' } } },
      { name: 'SESSION_SECRET', valueFrom: { secretKeyRef: { name: 'myapp-oidc', key: 'session_secret' } } },
    ]);
  });

  it('reads the secrets from existingSecret when it is given', async () => {
    const objects = await render({ valuesFiles: ['existing-secret-values.yaml'] });
    const refs = container(objects).env.map((e: any) => e.valueFrom.secretKeyRef.name);
    expect(refs).toEqual(['portal-oidc-credentials', 'portal-oidc-credentials', 'portal-oidc-credentials']);
    expect(one(objects, 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  it('passes SESSION_SECRETS from the key session_secrets instead of SESSION_SECRET when sessionSecrets.enabled', async () => {
    const objects = await render({
      valuesFiles: ['existing-secret-values.yaml'],
      values: { sessionSecrets: { enabled: true } },
    });
    const env = container(objects).env.map((e: any) => ({ name: e.name, key: e.valueFrom.secretKeyRef.key }));
    expect(env).toEqual([
      { name: 'OIDC_CLIENT_ID', key: 'client_id' },
      { name: 'OIDC_CLIENT_SECRET', key: 'client_secret' },
      { name: 'SESSION_SECRETS', key: 'session_secrets' },
    ]);
  });

  it('probes /healthz and /readyz on the probe port 4181 and sets requests and limits', () => {
    const c = container(team);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 4180, protocol: 'TCP' },
      { name: 'probes', containerPort: 4181, protocol: 'TCP' },
    ]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'probes' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'probes' });
    expect(c.resources.requests).toEqual({ cpu: '50m', memory: '96Mi' });
    expect(c.resources.limits).toEqual({ memory: '256Mi' });
    expect(one(team, 'Service').spec.ports).toEqual([
      { name: 'http', port: 4180, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 4181, targetPort: 'probes', protocol: 'TCP' },
    ]);
  });

  it('runs non-root on a read-only root filesystem with a writable /tmp', () => {
    const pod = one(team, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(team).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(team).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  it('spreads replicas over zones and nodes and guards them with a PodDisruptionBudget', () => {
    const pod = one(team, 'Deployment').spec.template.spec;
    expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(one(team, 'PodDisruptionBudget').spec.minAvailable).toBe(1);
  });

  it('changes the config checksum annotation when the configuration changes', async () => {
    const changed = await render({ valuesFiles: ['existing-team-values.yaml'], values: { logLevel: 'debug' } });
    const sum = (o: K8sObject[]) => one(o, 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(sum(team)).toMatch(/^[0-9a-f]{64}$/);
    expect(sum(changed)).not.toBe(sum(team));
  });

  it('leaves replicas to the HPA and adds the Redis password from its secret', () => {
    expect(one(all, 'Deployment').spec.replicas).toBeUndefined();
    expect(one(all, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 3, maxReplicas: 8 });
    expect(container(all).env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'app-redis', key: 'redis-password' } },
    });
    expect(container(all).image).toBe('registry.example.com/idp/idp-oidc-middleware:0.4.0');
  });
});

describe('optional objects', () => {
  it('lets only the Traefik namespace and extra namespaces reach port 4180, and only the extra ones the metrics port', () => {
    const from = (namespaces: string[]) =>
      namespaces.map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }));
    expect(one(all, 'NetworkPolicy').spec.ingress).toEqual([
      { from: from(['traefik-system', 'monitoring']), ports: [{ port: 4180, protocol: 'TCP' }] },
      { from: from(['monitoring']), ports: [{ port: 4181, protocol: 'TCP' }] },
    ]);
  });

  it('never opens the metrics port to every namespace when no extra namespace is listed', async () => {
    const objects = await render({
      valuesFiles: ['all-options-values.yaml'],
      values: { networkPolicy: { enabled: true, traefikNamespace: 'traefik', extraNamespaces: [] } },
    });
    expect(one(objects, 'NetworkPolicy').spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } }],
        ports: [{ port: 4180, protocol: 'TCP' }],
      },
    ]);
  });

  it('scrapes /metrics on the metrics port (the probe listener), never the public one', () => {
    const sm = one(all, 'ServiceMonitor');
    expect(sm.metadata.labels).toMatchObject({ release: 'prometheus' });
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });
});
