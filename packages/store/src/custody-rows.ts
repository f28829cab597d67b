import type { AuditCheckpointRecord, AuditSigningKeyRecord, PepperInput, SecretRecord, WrappedKeyRecord } from '@tessera/core';
import type { Selectable } from 'kysely';
import type { KeyringTables } from './custody-schema.js';

/** Row mapping for the tables of migration 0002. */
export function wrappedKeyFromRow(r: Selectable<KeyringTables['keyring_keys']>): WrappedKeyRecord {
  return {
    id: r.id,
    scope: r.scope,
    purpose: r.purpose as WrappedKeyRecord['purpose'],
    version: r.version,
    kekVersion: r.kek_version,
    wrapped: r.wrapped,
    createdAt: Number(r.created_at),
    ...(r.hmac_input !== null && { hmacInput: r.hmac_input as PepperInput }),
  };
}

export function secretFromRow(r: Selectable<KeyringTables['secrets']>): SecretRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    currentVersion: r.current_version,
    rotateBy: r.rotate_by === null ? null : Number(r.rotate_by),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function checkpointFromRow(r: Selectable<KeyringTables['audit_checkpoints']>): AuditCheckpointRecord {
  return { seq: Number(r.seq), hash: r.hash, ts: Number(r.ts), keyVersion: r.key_version, signature: r.signature };
}

export function signingKeyFromRow(r: Selectable<KeyringTables['audit_signing_keys']>): AuditSigningKeyRecord {
  return { version: r.version, publicKey: r.public_key, privateKey: r.private_key, createdAt: Number(r.created_at) };
}
