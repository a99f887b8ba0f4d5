// Schema validation of rendered objects with the kubernetes-models packages: the
// Kubernetes OpenAPI schemas for built-in kinds and the CRDs' own schemas for
// Traefik, External Secrets (external-secrets.io/v1) and the Prometheus Operator.
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Middleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { K8sObject } from './helm.js';

type Model = new (data: any) => { validate(): void };

const models: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'traefik.io/v1alpha1/Middleware': Middleware,
  'external-secrets.io/v1/ExternalSecret': ExternalSecret,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** Validates one object against the schema of its apiVersion and kind; throws naming the object. */
export function validateObject(object: K8sObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const model = models[key];
  if (!model) throw new Error(`no schema for ${key} (${object.metadata?.name}); add its model to test/chart/models.ts`);
  try {
    new model(object).validate();
  } catch (err) {
    throw new Error(`${key} ${object.metadata?.name} is invalid: ${(err as Error).message}`);
  }
}

export const knownKinds = Object.keys(models);
