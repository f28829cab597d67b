import SerializerSelector, { type Options } from '@fastify/fast-json-stringify-compiler';

type Compile = SerializerSelector.SerializerCompiler;
type Serialize = SerializerSelector.Serializer;

const defaultFactory = SerializerSelector();
const serializers = new Map<string, Serialize>();

/**
 * Fastify's response serializer factory, with each serializer built once per process.
 *
 * Every route declares its problem+json answers, so the same few schemas come back hundreds of
 * times, and building a serializer (fast-json-stringify generates code, and an Ajv instance for a
 * schema with `anyOf`) is most of what a server does before it listens: about 1.5 s of a 3.5 s
 * start. A serializer is a pure function of its schema, the shared schemas its `$ref`s resolve
 * to, and the options, so those three, serialised, are its key. Schemas come from code, so the
 * cache is bounded by what the code declares.
 */
export function cachedSerializerFactory(externalSchemas?: unknown, serializerOpts?: Options): Compile {
  const lazy = defaultFactory(externalSchemas, serializerOpts);
  const eager = defaultFactory(externalSchemas, { ...serializerOpts, compileValidators: true });
  const context = JSON.stringify([externalSchemas, serializerOpts ?? null]);
  return (route) => {
    const compileNow = EAGER_ROUTES.has(route.url);
    const key = `${context}\u0000${compileNow ? 'eager' : 'lazy'}\u0000${JSON.stringify(route.schema)}`;
    let serialize = serializers.get(key);
    if (serialize === undefined) {
      serialize = (compileNow ? eager : lazy)(route);
      serializers.set(key, serialize);
    }
    return serialize;
  };
}

/**
 * The routes whose first call must be as quick as the next: verification, and every revocation.
 * An answer schema with a union (`anyOf`) is checked by an Ajv validator that fast-json-stringify
 * compiles on the first answer that reaches it, which made the first revoke on a node take about
 * 15 times as long as the next (350 against 20 ms on a busy reference machine). For these routes
 * it is compiled as the server starts; for the others it stays lazy, since compiling every route's
 * would cost each start about 15% more CPU.
 */
export const EAGER_ROUTES: ReadonlySet<string> = new Set([
  '/v1/keys/verify',
  '/v1/keys/:keyId/revoke',
  '/v1/keys/revoke-by-owner',
  '/v1/root-keys/:id/revoke',
  '/v1/databases/leases/:leaseId/revoke',
]);
