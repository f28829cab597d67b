import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA, type Entry } from './config-schema.js';
import { loadConfig } from './config.js';
import { configurationMarkdown } from './configuration-markdown.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-setting-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid value for each secret setting (the PIN needs its provider's other settings). */
const SAMPLES: Record<string, { value: string; env?: Record<string, string> }> = {
  databaseUrl: { value: 'postgres://tessera:s3cret-db-password@db.internal:5432/tessera' },
  redisUrl: { value: 'rediss://:s3cret-redis-password@redis.internal:6380' },
  masterKey: { value: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' },
  keyringPassphrase: { value: 'correct horse battery staple' },
  pkcs11Pin: {
    value: '918273',
    env: { TESSERA_KEYRING_PROVIDER: 'pkcs11', TESSERA_PKCS11_MODULE: '/lib/pkcs11.so', TESSERA_PKCS11_TOKEN_LABEL: 'tessera' },
  },
  metricsToken: { value: 'prometheus-scrape-token' },
  consoleOidcClientSecret: {
    value: 'upstream-client-s3cret',
    env: {
      TESSERA_CONSOLE_OIDC_ISSUER: 'https://sso.acme.example',
      TESSERA_CONSOLE_OIDC_CLIENT_ID: 'tessera-console',
      TESSERA_CONSOLE_OIDC_ROLES: 'staff=viewer',
    },
  },
};

const secrets = Object.entries(CONFIG_SCHEMA as Record<string, Entry<unknown>>).filter(([, e]) => e.secret);

describe('secret settings from files (TESSERA_…_FILE)', () => {
  it('covers every secret setting of the schema', () => {
    expect(secrets.map(([name]) => name).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  describe.each(secrets)('%s', (name, entry) => {
    const { value, env = {} } = SAMPLES[name]!;
    const file = join(dir, name);
    const fileVar = `${entry.env}_FILE`;

    it('is read from the file, one trailing newline removed, as if it were set directly', () => {
      for (const content of [value, `${value}\n`, `${value}\r\n`]) {
        writeFileSync(file, content);
        const config = loadConfig({ ...env, [fileVar]: file }) as unknown as Record<string, unknown>;
        expect(config[name]).toBe(value);
        expect(config).toEqual(loadConfig({ ...env, [entry.env]: value }));
      }
    });

    it('refuses the variable and its file together', () => {
      writeFileSync(file, value);
      expect(() => loadConfig({ ...env, [entry.env]: value, [fileVar]: file })).toThrow(`${entry.env} and ${fileVar} are both set`);
    });

    it('names the setting and the file when the file cannot be read or is empty, never what it holds', () => {
      const missing = join(dir, `${name}-missing`);
      expect(() => loadConfig({ ...env, [fileVar]: missing })).toThrow(`${fileVar}: cannot read ${missing} (ENOENT)`);
      expect(() => loadConfig({ ...env, [fileVar]: dir })).toThrow(`${fileVar}: cannot read ${dir} (EISDIR)`);
      writeFileSync(file, '\n');
      expect(() => loadConfig({ ...env, [fileVar]: file })).toThrow(`${fileVar}: ${file} is empty`);
      if (process.getuid?.() !== 0) {
        writeFileSync(file, value);
        chmodSync(file, 0o000);
        let message = '';
        try {
          loadConfig({ ...env, [fileVar]: file });
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toMatch(new RegExp(`^${fileVar}: cannot read .* \\(EACCES\\)$`));
        expect(message).not.toContain(value);
      }
    });

    it('is documented with its _FILE variable', () => {
      expect(configurationMarkdown()).toContain(`| \`${entry.env}\`<br>\`${fileVar}\` | \`${name}\` |`);
    });
  });

  it('leaves a bad value out of the error when it came from a file', () => {
    const file = join(dir, 'bad-url');
    writeFileSync(file, 'mysql://root:hunter2@db/tessera\n');
    let message = '';
    try {
      loadConfig({ TESSERA_DATABASE_URL_FILE: file });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('TESSERA_DATABASE_URL must be a postgres:// URL');
  });

  it('has no _FILE variant for settings that are not secret', () => {
    expect(() => loadConfig({ TESSERA_PORT_FILE: join(dir, 'port') })).toThrow(/unknown configuration variable.*TESSERA_PORT_FILE/);
  });
});
