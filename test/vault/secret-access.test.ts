import { canAccessSecret, hasPermission, isPermissionGrant, isSecretName } from '@tessera/core';
import { describe, expect, it } from 'vitest';

describe('secret permissions by name pattern', () => {
  it('matches names with * over any run of characters, / included', () => {
    const g = ['secrets:read:payments/*'];
    expect(canAccessSecret(g, 'read', 'payments/stripe')).toBe(true);
    expect(canAccessSecret(g, 'read', 'payments/stripe/live')).toBe(true);
    expect(canAccessSecret(g, 'read', 'payments')).toBe(false);
    expect(canAccessSecret(g, 'read', 'paymentsx/stripe')).toBe(false);
    expect(canAccessSecret(g, 'write', 'payments/stripe')).toBe(false);
    expect(canAccessSecret(['secrets:write:ci/deploy-*-token'], 'write', 'ci/deploy-prod-token')).toBe(true);
    expect(canAccessSecret(['secrets:write:ci/deploy-*-token'], 'write', 'ci/deploy-prod-token2')).toBe(false);
    expect(canAccessSecret(['secrets:read:exact/name'], 'read', 'exact/name')).toBe(true);
    expect(canAccessSecret(['secrets:read:exact/name'], 'read', 'exact/name2')).toBe(false);
  });

  it('lets the broad grants cover every name', () => {
    for (const g of ['*', 'secrets:*', 'secrets:read']) expect(canAccessSecret([g], 'read', 'any/thing')).toBe(true);
    expect(canAccessSecret(['secrets:read'], 'write', 'any/thing')).toBe(false);
    expect(canAccessSecret(['keys:*'], 'read', 'any/thing')).toBe(false);
  });

  it('accepts pattern grants on root keys and lets them through to the routes', () => {
    expect(isPermissionGrant('secrets:read:payments/*')).toBe(true);
    expect(isPermissionGrant('secrets:delete:payments/*')).toBe(false);
    expect(isPermissionGrant('secrets:read:pay ments')).toBe(false);
    expect(hasPermission(['secrets:read:payments/*'], 'secrets:read')).toBe(true);
    expect(hasPermission(['secrets:read:payments/*'], 'secrets:write')).toBe(false);
    expect(hasPermission(['secrets:read:payments/*'], 'keys:read')).toBe(false);
  });

  it('accepts path-like names only', () => {
    for (const ok of ['a', 'payments/stripe', 'a.b-c_d/e', 'x/y/z']) expect(isSecretName(ok)).toBe(true);
    for (const bad of ['', '/a', 'a/', 'a//b', 'a/../b', './a', 'a b', 'a*b', 'x'.repeat(201)]) expect(isSecretName(bad)).toBe(false);
  });
});
