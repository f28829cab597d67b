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
  const compile = defaultFactory(externalSchemas, serializerOpts);
  const context = JSON.stringify([externalSchemas, serializerOpts ?? null]);
  return (route) => {
    const key = `${context}\u0000${JSON.stringify(route.schema)}`;
    let serialize = serializers.get(key);
    if (serialize === undefined) {
      serialize = compile(route);
      serializers.set(key, serialize);
    }
    return serialize;
  };
}
