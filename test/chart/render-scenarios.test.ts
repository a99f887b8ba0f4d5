// helm lint and helm template for every scenario values file in charts/idp-oidc-middleware/ci,
// each rendered object validated against its Kubernetes or CRD schema.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { knownKinds, lint, render, scenarios, validateObject, type K8sObject } from './helm.js';

const rendered = new Map<string, K8sObject[]>();

beforeAll(async () => {
  await Promise.all(scenarios.map(async (s) => rendered.set(s, await render({ valuesFiles: [s] }))));
});

function kinds(scenario: string): string[] {
  return rendered
    .get(scenario)!
    .map((o) => o.kind)
    .sort();
}

describe('helm lint', () => {
  it.each(scenarios)('passes --strict for %s', async (scenario) => {
    const result = await lint({ valuesFiles: [scenario] });
    expect(result.stderr).not.toMatch(/\[ERROR\]|\[WARNING\]/);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });
});

describe('helm template', () => {
  it.each(scenarios)('renders only objects whose schema validates, for %s', (scenario) => {
    const objects = rendered.get(scenario)!;
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      expect(knownKinds).toContain(`${object.apiVersion}/${object.kind}`);
      expect(() => validateObject(object)).not.toThrow();
    }
  });

  it.each(scenarios)('puts every object of %s in the release namespace with the chart labels', (scenario) => {
    for (const object of rendered.get(scenario)!) {
      expect(object.metadata.namespace).toBe('my-namespace');
      expect(object.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': scenario === 'plugin-era-keys-values.yaml' ? 'legacy-sso' : 'idp-oidc-middleware',
        'app.kubernetes.io/instance': 'myapp-oidc',
        'app.kubernetes.io/version': '0.4.0',
        'helm.sh/chart': 'idp-oidc-middleware-0.4.0',
      });
    }
  });

  it('deploys the existing team values file unchanged with the default objects only', () => {
    expect(kinds('existing-team-values.yaml')).toEqual([
      'ConfigMap',
      'Deployment',
      'ExternalSecret',
      'Middleware',
      'Middleware',
      'PodDisruptionBudget',
      'Service',
    ]);
  });

  it('leaves out the ExternalSecret and the PodDisruptionBudget for one replica with existingSecret', () => {
    expect(kinds('existing-secret-values.yaml')).toEqual([
      'ConfigMap',
      'Deployment',
      'Middleware',
      'Middleware',
      'Service',
    ]);
  });

  it('renders HPA, ServiceMonitor, NetworkPolicy and PDB when everything optional is on', () => {
    expect(kinds('all-options-values.yaml')).toEqual([
      'ConfigMap',
      'Deployment',
      'ExternalSecret',
      'HorizontalPodAutoscaler',
      'Middleware',
      'Middleware',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'ServiceMonitor',
    ]);
  });

  it('names every object after fullnameOverride when it is set', () => {
    const names = new Set(rendered.get('all-options-values.yaml')!.map((o) => o.metadata.name));
    expect([...names].sort()).toEqual(['app-sso', 'app-sso-strip-identity']);
  });

  it('accepts every key of the 0.3.3 chart, set away from its default', () => {
    expect(kinds('plugin-era-keys-values.yaml')).toEqual([
      'ConfigMap',
      'Deployment',
      'ExternalSecret',
      'Middleware',
      'Middleware',
      'PodDisruptionBudget',
      'Service',
    ]);
  });

  it('names every object after the release by default', () => {
    const names = new Set(rendered.get('existing-team-values.yaml')!.map((o) => o.metadata.name));
    expect([...names].sort()).toEqual(['myapp-oidc', 'myapp-oidc-strip-identity']);
  });

  it('renders the same manifests twice for the same input', async () => {
    const again = await render({ valuesFiles: ['all-options-values.yaml'] });
    expect(again).toEqual(rendered.get('all-options-values.yaml'));
  });
});
