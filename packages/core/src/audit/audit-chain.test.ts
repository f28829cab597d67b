import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson, GENESIS_HASH } from './audit-chain.js';

describe('audit chain hashing', () => {
  it('serialises canonically: sorted keys, no whitespace, undefined dropped', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: undefined }] })).toBe('{"a":[true,null,{"d":"x"}],"b":1}');
  });

  it('chains each hash to the previous one', () => {
    const entry = {
      seq: 1,
      id: 'evt_1',
      ts: 0,
      workspaceId: 'ws',
      actor: 'system',
      action: 'key.created',
      target: 'key_1',
      ip: null,
      details: { a: 1 },
    };
    const h1 = auditHash(GENESIS_HASH, entry);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(auditHash(GENESIS_HASH, { ...entry, details: { a: 2 } })).not.toBe(h1);
    expect(auditHash('f'.repeat(64), entry)).not.toBe(h1);
  });
});
