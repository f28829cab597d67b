import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Redis } from 'ioredis';
import { VERSION } from '../version.js';

/** What a traced query reports: its SQL with placeholders (never the values), how long it took, how it ended. */
export interface QueryEvent {
  sql: string;
  durationMs: number;
  error?: unknown;
}

/**
 * Opt-in OpenTelemetry traces, exported over OTLP/HTTP: a server span per request (joining the
 * caller's trace through `traceparent`), and under it a span per SQL statement and per Redis
 * command. Spans carry route templates, statuses, SQL with placeholders and command names, never
 * a header, a body, a query value or a key. Off (`TESSERA_OTLP_TRACES` unset), nothing here is
 * loaded into the request path.
 */
export class Tracing {
  readonly tracer: Tracer;
  private readonly provider: TracerProvider;
  private readonly contextManager = new AsyncLocalStorageContextManager();
  private dbSystem: 'sqlite' | 'postgresql' = 'sqlite';

  /** `endpoint`: the OTLP/HTTP traces URL; headers and timeouts come from the standard `OTEL_EXPORTER_OTLP_*` variables. */
  constructor(options: { endpoint: string; sampleRatio: number; serviceName?: string }) {
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'tessera', 'service.version': VERSION }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: options.endpoint }), scheduledDelayMillis: 1000 })],
    });
    context.setGlobalContextManager(this.contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    this.tracer = this.provider.getTracer('tessera', VERSION);
  }

  /** The store's query hook: a client span per statement, ending when the statement did. */
  readonly onQuery = (event: QueryEvent): void => {
    if (trace.getSpan(context.active()) === undefined) return; // background work outside a request is not traced
    const end = Date.now();
    const span = this.tracer.startSpan('db.query', {
      kind: SpanKind.CLIENT,
      startTime: end - event.durationMs,
      attributes: {
        'db.system.name': this.dbSystem,
        'db.operation.name': event.sql.trimStart().split(/\s/, 1)[0]!.toUpperCase(),
        'db.query.text': event.sql,
      },
    });
    if (event.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(event.error) });
    span.end(end);
  };

  /** Names the database the store speaks to, for the spans of its statements. */
  database(system: 'sqlite' | 'postgres'): void {
    this.dbSystem = system === 'postgres' ? 'postgresql' : 'sqlite';
  }

  /** Wraps a Redis connection's commands in client spans (the command's name only, never its arguments). */
  instrumentRedis(client: Redis): void {
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream?: unknown) => {
      if (trace.getSpan(context.active()) === undefined) return send(command, stream as never);
      const span = this.tracer.startSpan(`redis ${command.name}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system.name': 'redis', 'db.operation.name': command.name.toUpperCase() },
      });
      const result = send(command, stream as never);
      command.promise.then(
        () => span.end(),
        (err: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(err) });
          span.end();
        },
      );
      return result;
    }) as Redis['sendCommand'];
  }

  /** Starts the server span of a request, as a child of the caller's `traceparent` if it sent one. */
  startRequest(method: string, route: string, headers: Record<string, string | string[] | undefined>): Span {
    const parent = propagation.extract(context.active(), headers);
    return this.tracer.startSpan(
      `${method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } },
      parent,
    );
  }

  /** Runs `fn` with `span` as the active span, so the store's and Redis's spans are its children. */
  within<T>(span: Span, fn: () => T): T {
    return context.with(trace.setSpan(context.active(), span), fn);
  }

  /** Sends the spans still buffered and stops exporting. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
    context.disable();
    propagation.disable();
  }
}

const errorName = (err: unknown): string => (err instanceof Error ? err.name : 'Error');
