import { createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ExternalSigningKey } from 'oidc-provider';

const newRsaKey = promisify(generateKeyPair);

/**
 * Which private key signs the development provider's tokens: the one whose public
 * half it publishes at jwks_uri, or a foreign one it never publishes (tests only).
 */
export type SigningKeyChoice = 'published' | 'foreign';

async function rsaPrivateKey(): Promise<KeyObject> {
  const { privateKey } = await newRsaKey('rsa', { modulusLength: 2048 });
  return privateKey;
}

/**
 * The development provider's RS256 signing key, given to oidc-provider as an
 * `ExternalSigningKey` (its `externalSigningSupport` feature): oidc-provider builds
 * every JWS and publishes `keyObject()` at jwks_uri, and this class only makes the
 * signature. With `signWith = 'foreign'` it signs with another key under the same `kid`,
 * so relying parties that verify signatures must refuse the tokens.
 */
export class SwitchableSigningKey extends ExternalSigningKey {
  /** The key that signs from now on; switchable while the provider runs. */
  signWith: SigningKeyChoice;
  private foreignKey: Promise<KeyObject> | undefined;
  private readonly publicKey: KeyObject;

  private constructor(
    private readonly publishedKey: KeyObject,
    initial: SigningKeyChoice,
  ) {
    super();
    this.publicKey = createPublicKey(publishedKey);
    this.signWith = initial;
  }

  /** A fresh published key; the foreign one is made on first use. */
  static async create(initial: SigningKeyChoice = 'published'): Promise<SwitchableSigningKey> {
    return new SwitchableSigningKey(await rsaPrivateKey(), initial);
  }

  override get kid(): string {
    return 'dev-key';
  }

  override get alg(): string {
    return 'RS256';
  }

  /** The public key oidc-provider publishes at jwks_uri and verifies its own tokens with. */
  override keyObject(): KeyObject {
    return this.publicKey;
  }

  /** The published key's private half, so tests can forge precise tokens (logout tokens) the provider would sign. */
  privateKey(): KeyObject {
    return this.publishedKey;
  }

  /** RSASSA-PKCS1-v1_5 with SHA-256 (RS256) over the JWS signing input oidc-provider built. */
  override async sign(data: Uint8Array): Promise<Uint8Array> {
    const key = this.signWith === 'foreign' ? await (this.foreignKey ??= rsaPrivateKey()) : this.publishedKey;
    return sign('sha256', data, key);
  }
}
