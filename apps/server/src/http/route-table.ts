import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  ContextConfigDefault,
  FastifyContextConfig,
  FastifyInstance,
  FastifyPluginAsync,
  FastifySchema,
  HTTPMethods,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { TypedApp } from './typed-app.js';

/**
 * One operation of the API, declared once: what the OpenAPI document says of it (`operationId`,
 * `summary`, …), the shapes it takes and answers (`params`, `body`, `response`, …), and, beside
 * them, the route config its hooks read (`permission`, `idempotent`, `keyspace`, …).
 */
export interface Operation extends FastifyContextConfig {
  operationId: string;
  summary: string;
  description?: string;
  /** The area's tags unless the operation names its own. */
  tags?: string[];
  security?: Record<string, string[]>[];
  hide?: boolean;
  consumes?: string[];
  querystring?: TSchema;
  params?: TSchema;
  body?: TSchema;
  headers?: TSchema;
  response: Record<number, unknown>;
}

/** A handler typed by its operation's schemas, as Fastify types one declared with `schema`. */
export type OperationHandler<O extends FastifySchema> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  ContextConfigDefault,
  O,
  TypeBoxTypeProvider
>;

type Declare = <O extends Operation>(url: string, operation: O, handler: OperationHandler<O>) => void;

/** The request a handler of `O` is given, typed by its schemas. */
type RequestOf<O extends FastifySchema> = Parameters<OperationHandler<O>>[0];

/** An operation that answers 204 with no body: its `response` holds only the problems it may answer. */
export interface RemoveOperation extends Omit<Operation, 'response'> {
  response?: Record<number, unknown>;
  /** What the 204 answer says was done: `Deleted` unless the operation says otherwise. */
  done?: string;
}

type DeclareRemove = <O extends RemoveOperation>(url: string, operation: O, act: (request: RequestOf<O>) => Promise<unknown>) => void;

/**
 * Declares an area's operations, one call each: `route.get(url, operation, handler)`. `route.remove`
 * declares a DELETE whose handler only acts: the route answers 204 once it is done.
 */
export interface RouteTable {
  get: Declare;
  post: Declare;
  put: Declare;
  patch: Declare;
  delete: Declare;
  remove: DeclareRemove;
}

/** The keys of an operation that belong to its schema (and so to the document); the rest is route config. */
const SCHEMA_KEYS = [
  'operationId',
  'tags',
  'summary',
  'description',
  'security',
  'hide',
  'consumes',
  'querystring',
  'params',
  'body',
  'headers',
  'response',
];

/** Splits an operation into the route's `schema` (in the order the document lists its fields) and its `config`. */
function routeOptions(operation: Operation, tags: string[]): { schema: FastifySchema; config: FastifyContextConfig } {
  const schema: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  for (const key of SCHEMA_KEYS) {
    const value = key === 'tags' ? (operation.tags ?? tags) : operation[key as keyof Operation];
    if (value !== undefined) schema[key] = value;
  }
  for (const [key, value] of Object.entries(operation)) if (!SCHEMA_KEYS.includes(key)) config[key] = value;
  return { schema, config };
}

/** A route table that registers each operation on `app` under the area's `tags`. */
export function routeTable(app: FastifyInstance | TypedApp, tags: string[]): RouteTable {
  const register = (method: HTTPMethods, url: string, operation: Operation, handler: RouteHandlerMethod) =>
    (app as FastifyInstance).route({ method, url, ...routeOptions(operation, tags), handler });
  const declare =
    (method: HTTPMethods): Declare =>
    (url, operation, handler) =>
      register(method, url, operation, handler as RouteHandlerMethod);
  const remove: DeclareRemove = (url, { done = 'Deleted', response, ...operation }, act) =>
    register('DELETE', url, { ...operation, response: { 204: Type.Null({ description: done }), ...response } }, async (request, reply) => {
      await act(request as never);
      return reply.code(204).send(null);
    });
  return { get: declare('GET'), post: declare('POST'), put: declare('PUT'), patch: declare('PATCH'), delete: declare('DELETE'), remove };
}

/**
 * The plugin of one area of the API: it registers the area's named shapes (the `$id` schemas its
 * operations refer to), then `declare` declares its operations on a route table.
 */
export function operations(
  area: { tags: string[]; schemas?: readonly TSchema[] },
  declare: (route: RouteTable, app: TypedApp) => void | Promise<void>,
): FastifyPluginAsync {
  return async (app0) => {
    for (const schema of area.schemas ?? []) app0.addSchema(schema);
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();
    await declare(routeTable(app, area.tags), app);
  };
}
