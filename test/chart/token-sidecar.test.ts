// The token API packaging: the named templates teams include in their own pod spec
// (rendered in a team's own chart that holds a copy of templates/_token-sidecar.tpl),
// examples/kubernetes/token-sidecar.yaml agreeing with them, and the central
// Deployment keeping the token API off unless tokenApi.enabled.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { chartDir, helm, one, render, repoRoot, type K8sObject } from './helm.js';

const PARENT_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-app
spec:
  selector:
    matchLabels: {app: my-app}
  template:
    metadata:
      labels: {app: my-app}
    spec:
      containers:
        - name: app
          image: my-app:1.0.0
          ports:
            - containerPort: 8080
          env:
            {{- include "idp-oidc-middleware.tokenApiEnv" (dict "port" 7164) | nindent 12 }}
        {{- include "idp-oidc-middleware.tokenSidecarContainer" (dict
              "image" "ghcr.io/example/idp-oidc-middleware:1.0.0"
              "domain" "app.example.com"
              "tenantId" "00000000-0000-0000-0000-000000000001"
              "secretName" "my-app-idp"
              "upstreamPort" 8080
              "downstreamApis" (dict "graph" (dict "BaseUrl" "https://graph.microsoft.com/v1.0/" "RelativePath" "me" "Scopes" (list "User.Read")))
            ) | nindent 8 }}
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idp-parent-chart-'));
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: my-app\nversion: 1.0.0\n');
  mkdirSync(join(dir, 'templates'));
  // As the docs tell teams: the file stands alone, with no other part of this chart.
  cpSync(join(chartDir, 'templates/_token-sidecar.tpl'), join(dir, 'templates/_token-sidecar.tpl'));
  writeFileSync(join(dir, 'templates/deployment.yaml'), PARENT_DEPLOYMENT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function renderParent(): Promise<K8sObject> {
  const result = await helm(['template', 'my-app', dir, '--show-only', 'templates/deployment.yaml']);
  if (result.code !== 0) throw new Error(result.stderr);
  return loadAll(result.stdout)[0] as K8sObject;
}

const envOf = (container: { env?: { name: string; value?: string }[] }) =>
  Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? 'from-secret']));

describe('idp-oidc-middleware.tokenSidecarContainer and tokenApiEnv', () => {
  it('render a valid pod with the token API on loopback and the NAIS_TOKEN_* endpoints in the app container', async () => {
    const deployment = await renderParent();
    expect(() => new Deployment(deployment as never).validate()).not.toThrow();
    const [app, sidecar] = deployment.spec.template.spec.containers;
    expect(envOf(app)).toEqual({
      NAIS_TOKEN_ENDPOINT: 'http://127.0.0.1:7164/api/v1/token',
      NAIS_TOKEN_EXCHANGE_ENDPOINT: 'http://127.0.0.1:7164/api/v1/token/exchange',
      NAIS_TOKEN_INTROSPECTION_ENDPOINT: 'http://127.0.0.1:7164/api/v1/introspect',
    });
    expect(envOf(sidecar)).toMatchObject({
      TOKEN_API_ADDRESS: '127.0.0.1:7164',
      UPSTREAM_URL: 'http://127.0.0.1:8080',
      AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000001',
      OIDC_CLIENT_SECRET: 'from-secret',
      DOWNSTREAM_APIS: JSON.stringify({
        graph: { BaseUrl: 'https://graph.microsoft.com/v1.0/', RelativePath: 'me', Scopes: ['User.Read'] },
      }),
    });
    expect(sidecar.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([4180, 4181]);
  });

  it('agree with examples/kubernetes/token-sidecar.yaml', async () => {
    const rendered = (await renderParent()).spec.template.spec.containers;
    const example = (
      loadAll(readFileSync(join(repoRoot, 'examples/kubernetes/token-sidecar.yaml'), 'utf8')) as K8sObject[]
    ).find((o) => o?.kind === 'Deployment');
    expect(example).toBeDefined();
    expect(() => new Deployment(example as never).validate()).not.toThrow();
    expect(example!.spec.template.spec.containers).toEqual(rendered);
  });
});

describe('the central Deployment', () => {
  it('keeps the token API off by default', async () => {
    const config = one(await render({ valuesFiles: ['existing-secret-values.yaml'] }), 'ConfigMap');
    expect(config.data?.TOKEN_API_ADDRESS).toBeUndefined();
  });

  it('opens it on loopback only when tokenApi.enabled', async () => {
    const config = one(
      await render({
        valuesFiles: ['existing-secret-values.yaml'],
        values: {
          tokenApi: {
            enabled: true,
            port: 7170,
            downstreamApis: { api: { BaseUrl: 'https://api.example.com/', Scopes: ['api://x/.default'] } },
          },
        },
      }),
      'ConfigMap',
    );
    expect(config.data?.TOKEN_API_ADDRESS).toBe('127.0.0.1:7170');
    expect(JSON.parse(config.data?.DOWNSTREAM_APIS ?? '')).toEqual({
      api: { BaseUrl: 'https://api.example.com/', Scopes: ['api://x/.default'] },
    });
  });
});
