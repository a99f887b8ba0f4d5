import { describe, expect, it } from '@jest/globals';
import { SealedRecords } from '../../src/session/sealed-record.js';
import { nowSeconds, type Session } from '../../src/session/session.js';

const app = { issuer: 'https://idp.test', clientId: 'app', domain: 'app.test', cookieName: '_x_session' };
const OLD = 'old-secret-old-secret-old-secret-0';
const NEW = 'new-secret-new-secret-new-secret-1';
const now = nowSeconds();
const session: Session = {
  sub: 'alice',
  claims: { sub: 'alice', name: 'Alice Andersen', groups: ['admins'] },
  createdAt: now,
  lastSeenAt: now,
  expiresAt: now + 3600,
  accessToken: 'access-token-secret-value',
};

describe('sealed record format', () => {
  it('opens what it sealed, under the same id only, and shows no plaintext', async () => {
    const records = new SealedRecords([NEW], app);
    const value = await records.seal('id-1', session, session.expiresAt);
    expect(value).toMatch(/^r1\.[\w-]{8}\.[\w-]{16}\.[\w-]+$/);
    expect(Buffer.from(value.split('.')[3], 'base64url').toString('latin1')).not.toContain('Alice');
    expect(await records.open('id-1', value)).toEqual(session);
    expect(await records.open('id-2', value)).toBeUndefined();
  });

  it('refuses a record past its expiry, another app, an unknown key, a changed key id, a short or foreign value', async () => {
    const records = new SealedRecords([NEW], app);
    expect(await records.open('id', await records.seal('id', session, now - 1))).toBeUndefined();
    const value = await records.seal('id', session, session.expiresAt);
    expect(await new SealedRecords([NEW], { ...app, clientId: 'other' }).open('id', value)).toBeUndefined();
    expect(await new SealedRecords([OLD], app).open('id', value)).toBeUndefined();
    const [format, , iv, body] = value.split('.');
    const otherKid = (await new SealedRecords([OLD], app).seal('id', session, now + 60)).split('.')[1];
    expect(await new SealedRecords([NEW, OLD], app).open('id', [format, otherKid, iv, body].join('.'))).toBeUndefined();
    for (const bad of ['', 'r1', 'r1.x.y.z', `${format}.${value.split('.')[1]}.${iv}.AAAA`, JSON.stringify(session)])
      expect(await records.open('id', bad)).toBeUndefined();
    expect(await records.open('id', undefined)).toBeUndefined();
  });

  it('keeps records sealed under an older secret readable after rotation, and seals new ones under the first', async () => {
    const before = await new SealedRecords([OLD], app).seal('id', session, session.expiresAt);
    const rotated = new SealedRecords([NEW, OLD], app);
    expect(await rotated.open('id', before)).toEqual(session);
    const after = await rotated.seal('id', session, session.expiresAt);
    expect(await new SealedRecords([NEW], app).open('id', after)).toEqual(session);
  });
});
