// Secretless client authentication in the chart: a private JWK mounted from a Secret
// (provider.clientAuth.jwkSecret) or AKS workload identity (azure.workloadIdentity), and
// the rendered configuration going through the service's own loader.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { loadConfig } from '../../src/config/index.js';
import { named, one, render, template, type K8sObject } from './helm.js';

const team = 'existing-team-values.yaml';
const noSecret = { externalSecret: { separateSecrets: { clientSecret: '' } } };
const jwkValues = { ...noSecret, provider: { clientAuth: { jwkSecret: { name: 'myapp-client-jwk' } } } };
const wiValues = {
  ...noSecret,
  azure: { workloadIdentity: { enabled: true, clientId: '3fe8f2f0-da38-42eb-80c7-febc1d1dcb3f' } },
};
const TOKEN_FILE = '/var/run/secrets/azure/tokens/azure-identity-token';
const JWK_FILE = '/var/run/secrets/idp-oidc-middleware/client-jwk/client.jwk.json';

let jwk: K8sObject[];
let wi: K8sObject[];
let privateJwk: string;

const pod = (objects: K8sObject[]) => one(objects, 'Deployment').spec.template;
const container = (objects: K8sObject[]) => pod(objects).spec.containers[0];
const envNames = (objects: K8sObject[]) => (container(objects).env as { name: string }[]).map((e) => e.name);

/** The container's environment with fake secret values, and its files, through loadConfig. */
function loaded(objects: K8sObject[], files: Record<string, string>) {
  const env: Record<string, string> = { ...one(objects, 'ConfigMap').data };
  for (const name of envNames(objects))
    env[name] = name === 'SESSION_SECRET' ? '0123456789abcdef0123456789abcdef' : 'x';
  return loadConfig(env, {
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return content;
    },
  });
}

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  privateJwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256' });
  [jwk, wi] = await Promise.all([
    render({ valuesFiles: [team], values: jwkValues }),
    render({ valuesFiles: [team], values: wiValues }),
  ]);
});

describe('provider.clientAuth.jwkSecret (private_key_jwt)', () => {
  it('mounts the JWK read-only from its Secret and points OIDC_CLIENT_JWK_FILE at it, with no client secret', () => {
    expect(one(jwk, 'ConfigMap').data).toMatchObject({ OIDC_CLIENT_JWK_FILE: JWK_FILE });
    expect(container(jwk).volumeMounts).toContainEqual({
      name: 'client-jwk',
      mountPath: '/var/run/secrets/idp-oidc-middleware/client-jwk',
      readOnly: true,
    });
    expect(pod(jwk).spec.volumes).toContainEqual({
      name: 'client-jwk',
      secret: {
        secretName: 'myapp-client-jwk',
        defaultMode: 0o440,
        items: [{ key: 'client.jwk.json', path: 'client.jwk.json' }],
      },
    });
    expect(envNames(jwk)).not.toContain('OIDC_CLIENT_SECRET');
  });

  it('no longer asks the ExternalSecret for the client secret', () => {
    const keys = (one(jwk, 'ExternalSecret').spec.data as { secretKey: string }[]).map((d) => d.secretKey);
    expect(keys).toEqual(['client_id', 'session_secret']);
  });

  it('renders a configuration the service loads: private_key_jwt, no secret', () => {
    const config = loaded(jwk, { [JWK_FILE]: privateJwk });
    expect(config.clientAuth).toEqual({ method: 'private_key_jwt', jwkFile: JWK_FILE });
    expect(config.clientSecret).toBeUndefined();
  });
});

describe('azure.workloadIdentity', () => {
  it('labels the pods for the webhook and runs them as an annotated ServiceAccount', () => {
    expect(pod(wi).metadata.labels).toMatchObject({ 'azure.workload.identity/use': 'true' });
    expect(pod(wi).spec.serviceAccountName).toBe('myapp-oidc');
    const sa = named(wi, 'ServiceAccount', 'myapp-oidc');
    expect(sa.metadata.annotations).toEqual({
      'azure.workload.identity/client-id': '3fe8f2f0-da38-42eb-80c7-febc1d1dcb3f',
    });
  });

  it("points OIDC_CLIENT_ASSERTION_FILE at the webhook's AZURE_FEDERATED_TOKEN_FILE, with no client secret", () => {
    expect(one(wi, 'ConfigMap').data).toMatchObject({ OIDC_CLIENT_ASSERTION_FILE: TOKEN_FILE });
    expect(envNames(wi)).not.toContain('OIDC_CLIENT_SECRET');
    const keys = (one(wi, 'ExternalSecret').spec.data as { secretKey: string }[]).map((d) => d.secretKey);
    expect(keys).toEqual(['client_id', 'session_secret']);
  });

  it('renders a configuration the service loads: the federated assertion, no secret', () => {
    const config = loaded(wi, { [TOKEN_FILE]: 'eyJ.fake.token' });
    expect(config.clientAuth).toEqual({ method: 'federated_assertion', assertionFile: TOKEN_FILE });
    expect(config.clientSecret).toBeUndefined();
  });

  it('leaves the pods, the ServiceAccount and the client secret as they were when not enabled', async () => {
    const plain = await render({ valuesFiles: [team] });
    expect(plain.some((o) => o.kind === 'ServiceAccount')).toBe(false);
    expect(pod(plain).spec.serviceAccountName).toBeUndefined();
    expect(pod(plain).metadata.labels['azure.workload.identity/use']).toBeUndefined();
    expect(envNames(plain)).toContain('OIDC_CLIENT_SECRET');
    expect(one(plain, 'ConfigMap').data).not.toHaveProperty('OIDC_CLIENT_JWK_FILE');
  });

  it('drops client_secret from a single remote secret too', async () => {
    const objects = await render({ valuesFiles: ['single-remote-secret-values.yaml'], values: wiValues });
    const keys = (one(objects, 'ExternalSecret').spec.data as { secretKey: string }[]).map((d) => d.secretKey);
    expect(keys).toEqual(['client_id', 'session_secret']);
  });
});

describe('refused combinations', () => {
  async function refusal(values: Record<string, unknown>): Promise<string> {
    const result = await template({ valuesFiles: [team], values });
    expect(result.code).not.toBe(0);
    return result.stderr;
  }

  it('refuses both secretless methods at once', async () => {
    const message = await refusal({ ...wiValues, provider: jwkValues.provider });
    expect(message).toContain('provider.clientAuth.jwkSecret and azure.workloadIdentity.enabled are both set');
  });

  it('requires azure.workloadIdentity.clientId', async () => {
    const message = await refusal({ ...noSecret, azure: { workloadIdentity: { enabled: true } } });
    expect(message).toContain('azure.workloadIdentity.clientId is required');
  });

  it('refuses a separate client secret that would not be read', async () => {
    const message = await refusal({ provider: jwkValues.provider });
    expect(message).toContain('externalSecret.separateSecrets.clientSecret is not read');
  });

  it('refuses misspelt keys under the new values', async () => {
    expect(await refusal({ azure: { workloadIdentity: { enable: true } } })).toMatch(/'enable' not allowed/);
    expect(await refusal({ provider: { clientAuth: { jwk: 'x' } } })).toMatch(/'jwk' not allowed/);
  });
});
