import { Type, type Static, type TNull, type TSchema, type TUnion, type TUnsafe } from 'typebox';

/** Request and response shapes. Fastify validates with them; the OpenAPI document is made from them. */

/**
 * A value or null. A plain value's schema gains `null` among its types (and its `enum`) rather than
 * becoming a union: the server coerces types, and a union's first branch would take `null` as 0,
 * "", false or [""] (which that branch may well allow) before the null branch is ever tried. Objects
 * and references, which coercion never turns null into, stay unions.
 */
const Nullable = <T extends TSchema>(t: T): TUnsafe<Static<T> | null> | TUnion<[T, TNull]> => {
  const { type, enum: values } = t as { type?: unknown; enum?: unknown[] };
  if (typeof type !== 'string' || type === 'object') return Type.Union([t, Type.Null()]);
  return Type.Unsafe<Static<T> | null>({ ...t, type: [type, 'null'], ...(values && { enum: [...values, null] }) });
};
export const Time = Type.String({ format: 'date-time' });
/** One of these strings: a plain `enum` (serialized as a string, generated as a union of literals). */
export const OneOf = <const V extends readonly string[]>(values: V, options: { description?: string } = {}) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
/**
 * A reference to a named shape: one with an `$id`, registered with `app.addSchema` by the plugin
 * whose routes use it. The OpenAPI document shows it once, under its name in `components.schemas`,
 * so the types generated from the document carry that name.
 */
export const RefTo = <T extends TSchema>(schema: T) => {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('RefTo needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(id));
};
/** Free text. PostgreSQL's text cannot hold U+0000, so neither dialect accepts it. */
export const Text = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, pattern: '^[^\\u0000]*$' });

/** A prefixed id (`key_…`, `ks_…`). */
export const ID_PATTERN = '^[a-z]{2,3}_[0-9A-Za-z]{1,60}$';
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: ID_PATTERN });
export const ScopeName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:/*-]+$' });
export const Meta = Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 64 });

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });
export const Cursor = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' });
export const IdParams = (name: string) => Type.Object({ [name]: Id });

/**
 * A success answer's schema with what the answer means: the document shows it as the response's
 * description. Only the document reads it; the answer is serialized as before.
 */
export const Answer = <T extends TSchema>(description: string, schema: T): T => ({ ...schema, description });

/** A page of a list: its items, and the cursor of the next page (null on the last). */
export const Page = <T extends TSchema>(item: T, example: unknown, order: string) =>
  Type.Object(
    {
      items: Type.Array(item, { description: order }),
      nextCursor: Nullable(Type.String({ description: 'Pass it as `cursor` for the next page; null on the last page.' })),
    },
    { examples: [{ items: [example], nextCursor: 'a2V5XzBIcTNaazJXN2JENHNMbVA5eFRxMW4' }] },
  );

/** A whole list, not paged: its items (in the order said, if any), with the items of its example. */
export const List = <T extends TSchema>(item: T, examples: unknown[], order?: string) =>
  Type.Object({ items: Type.Array(item, ...(order === undefined ? [] : [{ description: order }])) }, { examples: [{ items: examples }] });

/** Ids, keys and times the document's examples share, so that one example's answer is the next one's request. */
export const EXAMPLE = {
  workspaceId: 'ws_default',
  keyspaceId: 'ks_0Hq3Yx8V2aC1rKlN7wSp0m',
  keyId: 'key_0Hq3Zk2W7bD4sLmP9xTq1n',
  key: 'acme_D0UAz4gSwUagGlIZTugEBH3EO70EiHYG1kFLO4eCCMM0Mj3mN',
  keyStart: 'acme_D0UA…j3mN',
  rootKeyId: 'rk_0Hq3Ab4Cd5Ef6Gh7Ij8Kl9',
  rootKey: 'tessera_root_MTf2AwrThjuAws1rbMvuWkKcxz8BMsUXf64zeKEFGBn3SvHaD',
  rootKeyStart: 'tessera_root_MTf2…vHaD',
} as const;

/** These fields of an example, in this order: for an example that shows part of another one. */
export const pick = <T extends object, K extends keyof T>(example: T, keys: readonly K[]): Pick<T, K> =>
  Object.fromEntries(keys.map((k) => [k, example[k]])) as Pick<T, K>;

export { Nullable, Type };
