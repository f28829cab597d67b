import type { HttpClient } from './http-client.js';
import type { CallOptions, Operation, OperationBody, OperationQuery, OperationResult } from './operations.js';
import type { Result } from './tessera-error.js';

type Params = Record<string, string>;

/** What a call of an operation takes: its path parameters, query and body. */
export interface OperationInput<O extends Operation> {
  path?: Params;
  query?: OperationQuery<O>;
  body?: OperationBody<O>;
}

/** Calls management operations by name over a client's {@link HttpClient}; the client's named methods go through it. */
export class OperationCaller {
  constructor(private readonly client: { readonly http: HttpClient }) {}

  call<O extends Operation>(operation: O, input: OperationInput<O> = {}, options: CallOptions = {}): Promise<Result<OperationResult<O>>> {
    return this.send(operation, input, options, []);
  }

  /** `call`, keeping `redact` (keys a caller reports, say) out of any error message as well. */
  send<O extends Operation>(
    operation: O,
    input: OperationInput<O>,
    options: CallOptions = {},
    redact: readonly string[],
  ): Promise<Result<OperationResult<O>>> {
    const space = operation.indexOf(' ');
    const method = operation.slice(0, space);
    const path = fillPath(operation.slice(space + 1), input.path ?? {});
    return this.client.http.request<OperationResult<O>>(method, path, {
      query: input.query as Record<string, string | number | boolean | undefined>,
      body: input.body,
      signal: options.signal,
      redact,
      idempotencyKey: options.idempotencyKey,
    });
  }
}

/** `/v1/keys/{keyId}` with `keyId` filled in and encoded; `{*}` takes a `/`-separated name. */
function fillPath(template: string, params: Params): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`missing path parameter "${name}"`);
    return name === '*' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
}
