import * as graphene from 'graphene-pk11';
import { EnvelopeKeyring, MemoryKeyringRepos } from '@tessera/core';
import { loadConfig, openInstance } from '@tessera/server';
import { Pkcs11Kek } from '../../apps/server/src/adapters/kek/pkcs11.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { createInstanceHome, startInstance, type InstanceHome } from './support/instance.js';
import { createSoftHsmToken, type SoftHsmToken } from './support/softhsm.js';

let token: SoftHsmToken;
beforeAll(() => {
  token = createSoftHsmToken();
});
afterAll(() => token.remove());

const hsmEnv = () => ({
  TESSERA_KEYRING_PROVIDER: 'pkcs11',
  TESSERA_PKCS11_MODULE: token.module,
  TESSERA_PKCS11_TOKEN_LABEL: token.label,
  TESSERA_PKCS11_PIN: token.pin,
});

describe.each(DIALECTS)('KEK in SoftHSM2 over PKCS#11 (%s)', (dialect) => {
  let home: InstanceHome;
  beforeAll(async () => {
    // Each dialect gets its own KEK label, so the two instances share the token without sharing keys.
    home = await createInstanceHome(dialect, { ...hsmEnv(), TESSERA_PKCS11_KEY_LABEL: `tessera-kek-${dialect}` });
  });
  afterAll(() => home.remove());

  it('init, store, rotate KEK, data keys and pepper, restart: everything reads back and every key verifies', async () => {
    const first = await startInstance(home);
    const rootKey = first.rootKey;
    expect((await first.api('PUT', '/v1/secrets/payments/stripe', { value: 'sk_live_stripe_value_1' })).status).toBe(200);
    expect((await first.api('PUT', '/v1/secrets/payments/stripe', { value: 'sk_live_stripe_value_2' })).body.version).toBe(2);
    const ks = await first.api('POST', '/v1/keyspaces', { name: 'partners', prefix: 'pk_live', recoverable: true });
    const k1 = await first.api('POST', '/v1/keys', { keyspaceId: ks.body.id, ownerId: 'acme' });
    expect(k1.status).toBe(201);

    const keyring = first.services.keyring as Awaited<ReturnType<typeof openInstance>>['keyring'];
    const rotated = await keyring.rotateKek();
    expect(rotated.kekVersion).toBe(2);
    expect(rotated.rewrapped).toBeGreaterThanOrEqual(3); // the pepper, the instance's and the workspace's data keys
    await keyring.rotateDataKeys();
    expect(await keyring.rotatePepper()).toBe(2);
    expect((await first.api('PUT', '/v1/secrets/webhooks/github', { value: 'whsec_after_rotation' })).status).toBe(200);
    const k2 = await first.api('POST', '/v1/keys', { keyspaceId: ks.body.id, ownerId: 'globex' });
    await first.close();

    const second = await startInstance(home, rootKey);
    try {
      expect((await second.api('GET', '/v1/secrets/payments/stripe')).body.value).toBe('sk_live_stripe_value_2');
      expect((await second.api('GET', '/v1/secrets/payments/stripe?version=1')).body.value).toBe('sk_live_stripe_value_1');
      expect((await second.api('GET', '/v1/secrets/webhooks/github')).body.value).toBe('whsec_after_rotation');
      expect((await second.api('GET', `/v1/keys/${k1.body.keyId}/recover`)).body.key).toBe(k1.body.key);
      // The key hashed with pepper 1 and the one hashed with pepper 2 both verify.
      expect((await second.api('POST', '/v1/keys/verify', { key: k1.body.key })).body.code).toBe('VALID');
      expect((await second.api('POST', '/v1/keys/verify', { key: k2.body.key })).body.code).toBe('VALID');
      const status = await (second.services.keyring as typeof keyring).status();
      expect(status).toMatchObject({ provider: 'pkcs11', kekVersion: 2, pepperVersion: 2 });
      expect(status.dataKeys.every((d) => d.kekVersion === 2)).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('keeps the KEK inside the token: sensitive, not extractable, its value unreadable', () => {
    const module = graphene.Module.load(token.module, 'check');
    module.initialize();
    try {
      const slots = module.getSlots(true);
      let slot: graphene.Slot | undefined;
      for (let i = 0; i < slots.length; i++) if (slots.items(i).getToken().label.trim() === token.label) slot = slots.items(i);
      const session = slot!.open(graphene.SessionFlag.SERIAL_SESSION);
      session.login(token.pin, graphene.UserType.USER);
      const found = session.find({ class: graphene.ObjectClass.SECRET_KEY, label: `tessera-kek-${dialect}-v2` });
      expect(found.length).toBe(1);
      const kek = found.items(0).toType<graphene.SecretKey>();
      expect(kek.getAttribute({ sensitive: null, extractable: null, token: null })).toEqual({
        sensitive: true,
        extractable: false,
        token: true,
      });
      expect(() => kek.getAttribute({ value: null })).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      session.logout();
      session.close();
    } finally {
      module.finalize();
    }
  });

  it('names a wrong PIN clearly, and a missing token too', async () => {
    await expect(openInstance(loadConfig({ ...home.env, TESSERA_PKCS11_PIN: '000000' }))).rejects.toThrow(
      `the PIN for the PKCS#11 token "${token.label}" is wrong`,
    );
    await expect(openInstance(loadConfig({ ...home.env, TESSERA_PKCS11_TOKEN_LABEL: 'no-such-token' }))).rejects.toThrow(
      'no PKCS#11 token labelled "no-such-token" is present',
    );
  });
});

describe('the PKCS#11 provider', () => {
  it('refuses a wrapped key altered at rest, and a ciphertext moved to another row', async () => {
    const kek = await Pkcs11Kek.open({
      module: token.module,
      tokenLabel: token.label,
      pin: token.pin,
      keyLabel: 'tessera-kek-tamper',
      create: true,
    });
    try {
      const repos = new MemoryKeyringRepos();
      const keyring = await EnvelopeKeyring.open({ kek, repos, create: true });
      const ct = await keyring.encrypt(Buffer.from('hsm-protected'), 'row:1', { workspaceId: 'ws_x' });
      await expect(keyring.decrypt(ct, 'row:2')).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
      const row = repos.rows.find((r) => r.scope === 'ws_x')!;
      const bytes = Buffer.from(row.wrapped, 'base64url');
      bytes[3]! ^= 0x40;
      row.wrapped = bytes.toString('base64url');
      // A restart still opens (the pepper is intact); what the damaged data key encrypted does not decrypt.
      const other = await EnvelopeKeyring.open({ kek, repos });
      await expect(other.decrypt(ct, 'row:1')).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
      await expect(other.encrypt(Buffer.from('x'), 'row:3', { workspaceId: 'ws_x' })).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
      expect((await other.decrypt(await other.encrypt(Buffer.from('y'), 'row:4', { workspaceId: 'ws_y' }), 'row:4')).toString()).toBe('y');
    } finally {
      await kek.close();
    }
  });

  it('refuses a key it cannot trust as a KEK: extractable, not sensitive, imported, not AES-256, without wrap/unwrap', async () => {
    // Each weak key is made next to the provider's own, under the label the provider looks for.
    const weak: { label: string; template: graphene.ITemplate; imported?: boolean; refused: RegExp }[] = [
      { label: 'weak-extractable', template: { extractable: true }, refused: /CKA_EXTRACTABLE is true/ },
      { label: 'weak-not-sensitive', template: { sensitive: false }, refused: /CKA_SENSITIVE is false/ },
      { label: 'weak-imported', template: {}, imported: true, refused: /CKA_LOCAL is false/ },
      { label: 'weak-aes-128', template: { valueLen: 16 }, refused: /128 bits, not 256/ },
      { label: 'weak-no-wrap', template: { wrap: false, unwrap: false, encrypt: false, decrypt: false }, refused: /neither wrap\/unwrap/ },
    ];
    withTokenSession((session) => {
      for (const w of weak) {
        const template: graphene.ITemplate = {
          class: graphene.ObjectClass.SECRET_KEY,
          keyType: graphene.KeyType.AES,
          label: `${w.label}-v1`,
          token: true,
          private: true,
          sensitive: true,
          extractable: false,
          wrap: true,
          unwrap: true,
          encrypt: false,
          decrypt: false,
          ...w.template,
        };
        if (w.imported) session.create({ ...template, value: Buffer.alloc(32, 7) });
        else session.generateKey(graphene.KeyGenMechanism.AES, { valueLen: 32, ...template });
      }
    });
    for (const w of weak) {
      await expect(Pkcs11Kek.open({ module: token.module, tokenLabel: token.label, pin: token.pin, keyLabel: w.label })).rejects.toThrow(
        new RegExp(`the PKCS#11 key "${w.label}-v1" is not trusted as a KEK: .*${w.refused.source}`),
      );
    }
    // A key the provider made itself is trusted, as before.
    const good = await Pkcs11Kek.open({ module: token.module, tokenLabel: token.label, pin: token.pin, keyLabel: 'strong', create: true });
    return good.close();
  });
});

/** Runs `fn` in a logged-in read-write session of the test token, with the module loaded only meanwhile. */
function withTokenSession(fn: (session: graphene.Session) => void): void {
  const module = graphene.Module.load(token.module, 'setup');
  module.initialize();
  try {
    const slots = module.getSlots(true);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots.items(i);
      if (slot.getToken().label.trim() !== token.label) continue;
      const session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
      session.login(token.pin, graphene.UserType.USER);
      try {
        fn(session);
      } finally {
        session.logout();
        session.close();
      }
    }
  } finally {
    module.finalize();
  }
}
