import { Type, type Static } from 'typebox';
import { Check, Errors } from 'typebox/value';

/**
 * The header of a backup archive, a single JSON line after the magic line. Everything a reader
 * needs to know before touching the parts: what wrote it, what it holds, how to decrypt the
 * keyring part and the checksum of every part. The whole line is the associated data of the
 * keyring part's AES-256-GCM, so changing any byte of it fails decryption.
 */
export const MAGIC = 'TESSERA-BACKUP 1\n';
export const FORMAT_VERSION = 1;
/** A header longer than this is refused before parsing. */
export const MAX_HEADER_BYTES = 64 * 1024;

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const B64 = Type.String({ pattern: '^[A-Za-z0-9_-]{1,4096}$' });

export const SCRYPT_LIMITS = { minLogN: 14, maxLogN: 20 } as const;

const PassphraseProtection = Type.Object(
  {
    kind: Type.Literal('passphrase'),
    kdf: Type.Literal('scrypt'),
    /** log2 of scrypt's N; r = 8, p = 1. */
    logN: Type.Integer({ minimum: SCRYPT_LIMITS.minLogN, maximum: SCRYPT_LIMITS.maxLogN }),
    r: Type.Literal(8),
    p: Type.Literal(1),
    salt: B64,
    /** HMAC of a fixed label under the second half of the derived key: tells a wrong passphrase from an altered archive. */
    check: B64,
  },
  { additionalProperties: false },
);

const HsmProtection = Type.Object(
  {
    kind: Type.Literal('pkcs11'),
    /** The archive key, wrapped by the instance's HSM KEK of this version. */
    kekVersion: Type.Integer({ minimum: 1 }),
    wrapped: B64,
    /** Binds the wrap to this archive (the wrap's associated data). */
    nonce: B64,
  },
  { additionalProperties: false },
);

const Part = Type.Object(
  {
    name: Type.Union([Type.Literal('keyring'), Type.Literal('database')]),
    /** `aes-256-gcm` (iv ‖ ciphertext ‖ tag), `sqlite` (a database file), `pg_dump-custom` (pg_dump -Fc). */
    encoding: Type.Union([Type.Literal('aes-256-gcm'), Type.Literal('sqlite'), Type.Literal('pg_dump-custom')]),
    length: Type.Integer({ minimum: 0 }),
    /** SHA-256 of the part as stored; for the encrypted keyring part, of its plaintext (GCM authenticates the ciphertext). */
    sha256: Sha256,
  },
  { additionalProperties: false },
);

export const BackupHeaderSchema = Type.Object(
  {
    format: Type.Literal('tessera-backup'),
    formatVersion: Type.Literal(FORMAT_VERSION),
    tesseraVersion: Type.String({ maxLength: 64 }),
    createdAt: Type.String({ format: 'date-time', maxLength: 40 }),
    store: Type.Union([
      Type.Object({ kind: Type.Literal('sqlite') }, { additionalProperties: false }),
      Type.Object(
        {
          kind: Type.Literal('postgres'),
          schema: Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' }),
          serverVersion: Type.String({ maxLength: 200 }),
        },
        { additionalProperties: false },
      ),
    ]),
    /** The last migration applied to the snapshot, and how many there are. */
    migration: Type.Object(
      { latest: Type.String({ maxLength: 200 }), count: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
    /** The newest audit entry in the snapshot (0: none). */
    auditSeq: Type.Integer({ minimum: 0 }),
    keyring: Type.Object(
      {
        /** Where the instance keeps its KEKs: the keyring file (in this archive), `TESSERA_MASTER_KEY` or an HSM (not in it). */
        source: Type.Union([Type.Literal('file'), Type.Literal('env'), Type.Literal('pkcs11')]),
        /** KEK versions the snapshot's wrapped keys use; each unwrapped with the captured keyring when the backup was taken. */
        kekVersions: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10_000 }),
        wrappedKeys: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    protection: Type.Union([PassphraseProtection, HsmProtection]),
    parts: Type.Array(Part, { minItems: 2, maxItems: 2 }),
  },
  { additionalProperties: false },
);

export type BackupHeader = Static<typeof BackupHeaderSchema>;
export type Protection = BackupHeader['protection'];
export type PartInfo = Static<typeof Part>;

/** Parses and validates a header line; the message names the first problem, never a value. */
export function parseHeader(line: string): BackupHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('the backup header is not valid JSON: the file is damaged or not a Tessera backup');
  }
  if (typeof value === 'object' && value !== null && (value as { formatVersion?: unknown }).formatVersion !== FORMAT_VERSION) {
    throw new Error(
      `this backup has format version ${String((value as { formatVersion?: unknown }).formatVersion)}; this Tessera reads version ${FORMAT_VERSION}`,
    );
  }
  if (!Check(BackupHeaderSchema, value)) {
    const first = Errors(BackupHeaderSchema, value)[0];
    throw new Error(`the backup header is invalid${first ? ` at ${first.instancePath || '/'}: ${first.message}` : ''}`);
  }
  const [keyring, database] = value.parts;
  if (keyring!.name !== 'keyring' || keyring!.encoding !== 'aes-256-gcm' || database!.name !== 'database') {
    throw new Error('the backup header lists its parts in an unexpected order');
  }
  if ((database!.encoding === 'sqlite') !== (value.store.kind === 'sqlite')) {
    throw new Error("the backup header's database part does not match its store kind");
  }
  return value;
}
