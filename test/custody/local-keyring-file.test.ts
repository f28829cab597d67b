import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyringFile, loadKeyringFile, parseMasterKey } from '@tessera/core';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tessera-keyring-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FAST = { scryptN: 2 ** 14 };

describe('the local keyring file', () => {
  it('is created with mode 0600 and never overwritten', () => {
    const path = join(dir, 'a', 'keyring.json');
    createKeyringFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => createKeyringFile(path)).toThrow(/already exists/);
  });

  it('refuses to load a file that other users can read', () => {
    const path = join(dir, 'b.json');
    createKeyringFile(path);
    chmodSync(path, 0o644);
    expect(() => loadKeyringFile(path)).toThrow(/readable by other users.*chmod 600/);
    chmodSync(path, 0o600);
    expect(loadKeyringFile(path).currentVersion()).toBe(1);
  });

  it('wraps with the KEK it holds, and rotation adds a version that a reload sees', async () => {
    const path = join(dir, 'c.json');
    const { kek } = createKeyringFile(path);
    const dataKey = randomBytes(32);
    const w1 = await kek!.wrap(dataKey, 'data:ws_x:1');
    expect(await kek!.rotate()).toBe(2);
    const reloaded = loadKeyringFile(path);
    expect(reloaded.currentVersion()).toBe(2);
    expect(await reloaded.unwrap(w1.kekVersion, w1.wrapped, 'data:ws_x:1')).toEqual(dataKey);
    // The wrap is bound to what the key is: another context does not unwrap.
    await expect(reloaded.unwrap(w1.kekVersion, w1.wrapped, 'data:ws_y:1')).rejects.toThrow(/does not unwrap/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('seals the KEKs with a passphrase: none in the file, a wrong passphrase is named as such', async () => {
    const path = join(dir, 'd.json');
    const { kek } = createKeyringFile(path, { source: 'file', seal: { passphrase: 'correct horse battery staple', ...FAST } });
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text).keks).toBeUndefined();
    expect(JSON.parse(text).sealed.kdf).toBe('scrypt');
    const w = await kek!.wrap(randomBytes(32), 'pepper:instance:1');
    expect(() => loadKeyringFile(path)).toThrow(/sealed with a passphrase; set TESSERA_KEYRING_PASSPHRASE/);
    expect(() => loadKeyringFile(path, { passphrase: 'wrong horse' })).toThrow(/passphrase is wrong/);
    const opened = loadKeyringFile(path, { passphrase: 'correct horse battery staple' });
    expect((await opened.unwrap(1, w.wrapped, 'pepper:instance:1')).length).toBe(32);
    // Rotation keeps the file sealed.
    await opened.rotate();
    expect(JSON.parse(readFileSync(path, 'utf8')).keks).toBeUndefined();
    expect(loadKeyringFile(path, { passphrase: 'correct horse battery staple' }).currentVersion()).toBe(2);
  });

  it('reads TESSERA_MASTER_KEY as one key or versioned keys, and never echoes a bad one', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    expect([...parseMasterKey(k1.toString('base64')).keys()]).toEqual([1]);
    const both = parseMasterKey(`1:${k1.toString('base64url')},2:${k2.toString('base64url')}`);
    expect(both.get(2)).toEqual(k2);
    const bad = 'c2hvcnQta2V5LXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    expect(() => parseMasterKey(bad)).toThrow(/32-byte key/);
    try {
      parseMasterKey(bad);
    } catch (err) {
      expect((err as Error).message).not.toContain(bad);
    }
  });
});
