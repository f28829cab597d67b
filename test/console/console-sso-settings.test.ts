import { loadConfig } from '@tessera/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { roleFromClaims } from '../../packages/core/src/console/console-sso-settings.js';
import { consoleSsoSettings } from '../../apps/server/src/config-console-sso.js';

const ENV = {
  TESSERA_CONSOLE_OIDC_ISSUER: 'https://sso.acme.example',
  TESSERA_CONSOLE_OIDC_CLIENT_ID: 'tessera-console',
  TESSERA_CONSOLE_OIDC_CLIENT_SECRET: 's3cret-value',
  TESSERA_CONSOLE_OIDC_ROLES: 'tessera-owners=owner, platform=admin,staff=viewer',
};

/** The console's upstream sign-in settings: read, checked, and the role a claim gives. */
describe('console sign-in with an upstream provider: settings', () => {
  const settings = () => consoleSsoSettings(loadConfig(ENV))!;

  it('is off without an issuer, and reads every setting with one', () => {
    expect(consoleSsoSettings(loadConfig({}))).toBeUndefined();
    expect(settings()).toEqual({
      issuer: 'https://sso.acme.example',
      clientId: 'tessera-console',
      clientSecret: 's3cret-value',
      scopes: ['openid', 'email', 'profile'],
      roleClaim: 'groups',
      roles: new Map([
        ['tessera-owners', 'owner'],
        ['platform', 'admin'],
        ['staff', 'viewer'],
      ]),
      workspaceId: 'ws_default',
      label: 'single sign-on',
    });
    // `openid` is always asked for.
    expect(consoleSsoSettings(loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_SCOPES: 'groups email' }))!.scopes).toEqual([
      'openid',
      'groups',
      'email',
    ]);
  });

  it('refuses an incomplete or malformed configuration at start, naming the setting', () => {
    expect(() => loadConfig({ TESSERA_CONSOLE_OIDC_ISSUER: 'https://sso.acme.example' })).toThrow(
      'TESSERA_CONSOLE_OIDC_ISSUER needs TESSERA_CONSOLE_OIDC_CLIENT_ID, TESSERA_CONSOLE_OIDC_CLIENT_SECRET, TESSERA_CONSOLE_OIDC_ROLES',
    );
    expect(() => loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_ROLES: 'staff=superuser' })).toThrow(/TESSERA_CONSOLE_OIDC_ROLES must be/);
    expect(() => loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_ROLES: 'staff' })).toThrow(/TESSERA_CONSOLE_OIDC_ROLES must be/);
    expect(() => loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_ROLES: 'staff=viewer,staff=owner' })).toThrow(/a role twice/);
    expect(() => loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_ISSUER: 'sso.acme.example' })).toThrow(/must be an https URL/);
    expect(() => loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_ISSUER: 'http://sso.acme.example' })).toThrow(/must be an https URL/);
    expect(consoleSsoSettings(loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_ISSUER: 'http://127.0.0.1:9000' }))!.issuer).toBe(
      'http://127.0.0.1:9000',
    );
    expect(() => loadConfig({ ...ENV, TESSERA_CONSOLE_OIDC_LABEL: 'x'.repeat(61) })).toThrow(/LABEL/);
  });

  it('reads the client secret from a file, as the other secrets', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sso-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-a-file\n');
    const { TESSERA_CONSOLE_OIDC_CLIENT_SECRET: _, ...rest } = ENV;
    expect(consoleSsoSettings(loadConfig({ ...rest, TESSERA_CONSOLE_OIDC_CLIENT_SECRET_FILE: file }))!.clientSecret).toBe('from-a-file');
  });

  it('gives the most powerful role of the values that map, and none for values that do not', () => {
    const s = settings();
    expect(roleFromClaims(s, { groups: ['staff'] })).toBe('viewer');
    expect(roleFromClaims(s, { groups: ['staff', 'tessera-owners', 'platform'] })).toBe('owner');
    expect(roleFromClaims(s, { groups: 'platform' })).toBe('admin');
    // No default role: nothing maps, the claim is missing, or it is not a string.
    expect(roleFromClaims(s, { groups: ['marketing'] })).toBeUndefined();
    expect(roleFromClaims(s, {})).toBeUndefined();
    expect(roleFromClaims(s, { groups: [{ name: 'staff' }, 7] })).toBeUndefined();
    // Values match exactly: no case folding, no prefixes.
    expect(roleFromClaims(s, { groups: ['Staff', 'staff-extra'] })).toBeUndefined();
  });

  it('reads a dotted path into an object claim, and a claim whose name has dots', () => {
    const s = { ...settings(), roleClaim: 'realm_access.roles' };
    expect(roleFromClaims(s, { realm_access: { roles: ['platform'] } })).toBe('admin');
    expect(roleFromClaims(s, { 'realm_access.roles': 'staff' })).toBe('viewer');
    expect(roleFromClaims(s, { realm_access: 'platform' })).toBeUndefined();
  });
});
