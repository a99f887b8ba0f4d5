import { describe, expect, it } from '@jest/globals';
import { isEntraIssuer, loadTokenApiConfig } from '../../src/config/token-api.js';

const entra = new URL('https://login.microsoftonline.com/0d7b5f7e-1111-2222-3333-444455556666/v2.0');
const generic = new URL('https://keycloak.example/realms/x');

describe('loadTokenApiConfig', () => {
  it('is off when TOKEN_API_ADDRESS is unset', () => {
    expect(loadTokenApiConfig({}, entra)).toEqual({ config: undefined, problems: [], warnings: [] });
  });

  it.each([
    ['127.0.0.1:7164', '127.0.0.1'],
    ['[::1]:7164', '::1'],
    ['localhost:7164', 'localhost'],
    ['127.0.0.2:1', '127.0.0.2'],
  ])('reads the loopback address %s', (address, host) => {
    const { config, problems } = loadTokenApiConfig({ TOKEN_API_ADDRESS: address }, entra);
    expect(problems).toEqual([]);
    expect(config).toEqual({
      host,
      port: Number(address.split(':').pop()),
      allowRemote: false,
      exchangeGrant: 'obo',
      downstreamApis: new Map(),
    });
  });

  it.each(['0.0.0.0:7164', '[::]:7164', '10.0.0.5:7164', 'my-pod:7164'])(
    'refuses the non-loopback address %s unless TOKEN_API_ALLOW_REMOTE=true',
    (address) => {
      const refused = loadTokenApiConfig({ TOKEN_API_ADDRESS: address }, entra);
      expect(refused.config).toBeUndefined();
      expect(refused.problems).toEqual([
        expect.stringMatching(/^TOKEN_API_ADDRESS must be a loopback address .*TOKEN_API_ALLOW_REMOTE=true/),
      ]);
      const allowed = loadTokenApiConfig({ TOKEN_API_ADDRESS: address, TOKEN_API_ALLOW_REMOTE: 'true' }, entra);
      expect(allowed.problems).toEqual([]);
      expect(allowed.config?.allowRemote).toBe(true);
      expect(allowed.warnings).toEqual([expect.stringContaining('NetworkPolicy')]);
    },
  );

  it.each(['7164', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'http://127.0.0.1:7164', '::1:7164'])(
    'refuses the malformed address %s, naming the variable',
    (address) => {
      const { config, problems } = loadTokenApiConfig({ TOKEN_API_ADDRESS: address }, entra);
      expect(config).toBeUndefined();
      expect(problems).toEqual([expect.stringMatching(/^TOKEN_API_ADDRESS must be host:port/)]);
    },
  );

  it('defaults TOKEN_EXCHANGE_GRANT to obo for Entra and rfc8693 for other providers, and takes either explicitly', () => {
    expect(loadTokenApiConfig({ TOKEN_API_ADDRESS: '127.0.0.1:1' }, generic).config?.exchangeGrant).toBe('rfc8693');
    expect(loadTokenApiConfig({ TOKEN_API_ADDRESS: '127.0.0.1:1', AZURE_TENANT_ID: 'x' }).config?.exchangeGrant).toBe(
      'obo',
    );
    expect(
      loadTokenApiConfig({ TOKEN_API_ADDRESS: '127.0.0.1:1', OIDC_ISSUER_URL: generic.href }).config?.exchangeGrant,
    ).toBe('rfc8693');
    expect(
      loadTokenApiConfig({ TOKEN_API_ADDRESS: '127.0.0.1:1', TOKEN_EXCHANGE_GRANT: 'obo' }, generic).config
        ?.exchangeGrant,
    ).toBe('obo');
    expect(
      loadTokenApiConfig({ TOKEN_API_ADDRESS: '127.0.0.1:1', TOKEN_EXCHANGE_GRANT: 'RFC8693' }, entra).config
        ?.exchangeGrant,
    ).toBe('rfc8693');
  });

  it('collects every problem at once, each naming its variable', () => {
    const { config, problems } = loadTokenApiConfig(
      { TOKEN_API_ADDRESS: '0.0.0.0:7164', TOKEN_API_ALLOW_REMOTE: 'maybe', TOKEN_EXCHANGE_GRANT: 'jwt' },
      entra,
    );
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      'TOKEN_API_ALLOW_REMOTE must be true or false (got "maybe")',
      'TOKEN_EXCHANGE_GRANT must be one of obo, rfc8693 (got "jwt")',
      expect.stringMatching(/^TOKEN_API_ADDRESS must be a loopback address/),
    ]);
  });

  it('warns that TOKEN_API_ALLOW_REMOTE does nothing without an address', () => {
    expect(loadTokenApiConfig({ TOKEN_API_ALLOW_REMOTE: 'true' }).warnings).toEqual([
      'TOKEN_API_ALLOW_REMOTE has no effect without TOKEN_API_ADDRESS',
    ]);
  });
});

describe('isEntraIssuer', () => {
  it.each([
    'https://login.microsoftonline.com/t/v2.0',
    'https://login.microsoftonline.us/t/v2.0',
    'https://sts.windows.net/t/',
    'https://contoso.ciamlogin.com/t/v2.0',
  ])('recognises %s', (issuer) => {
    expect(isEntraIssuer(new URL(issuer))).toBe(true);
  });

  it.each([
    'https://keycloak.example/realms/x',
    'https://login.microsoftonline.com.evil.example/t',
    'https://accounts.google.com',
  ])('does not take %s for Entra', (issuer) => {
    expect(isEntraIssuer(new URL(issuer))).toBe(false);
  });
});
