import Fastify, { type FastifyInstance } from 'fastify';
import { consoleSsoSettings } from './config-console-sso.js';
import type { Config } from './config.js';
import { accessLog } from './http/access-log.js';
import { ProblemSchema } from './http/contract.js';
import { answerErrors } from './http/error-handler.js';
import { acceptEmptyJsonBody } from './http/json-body.js';
import { createMetrics } from './http/metrics.js';
import { registerDocs, registerOpenApi } from './http/openapi-document.js';
import { guardRequests } from './http/request-guard.js';
import { attachRouteHooks } from './http/route-hooks.js';
import { serverOptions } from './http/server-options.js';
import { batchedStdout } from './http/stdout-log.js';
import { auditRoutes } from './routes/audit.js';
import { consoleRoutes } from './routes/console/console-routes.js';
import { eventRoutes } from './routes/events.js';
import { keyRecoveryRoutes } from './routes/key-recovery.js';
import { keyRoutes } from './routes/keys.js';
import { keyRolloverRoutes } from './routes/key-rollovers.js';
import { keyspaceRoutes } from './routes/keyspaces.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { oauthEndpoints } from './routes/oauth/endpoints.js';
import { oauthClientRoutes } from './routes/oauth-clients.js';
import { endUserRoutes } from './routes/end-users.js';
import { endUserGrantRoutes } from './routes/end-user-grants.js';
import { workspaceBrandingRoutes } from './routes/workspace-branding.js';
import { upstreamProviderRoutes } from './routes/upstream-providers.js';
import { operationsRoutes } from './routes/operations.js';
import { rootKeyRoutes } from './routes/root-keys.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { secretRoutes } from './routes/secrets.js';
import { secretRotationRoutes } from './routes/secret-rotations.js';
import { databaseRoutes } from './routes/databases.js';
import { verifyRoutes } from './routes/verify.js';
import { forwardAuthRoutes } from './routes/forward-auth.js';
import { gatewayRouteRoutes } from './routes/gateway-routes.js';
import { portalRoutes } from './routes/portal/portal-routes.js';
import { portalSessionRoutes } from './routes/portal-sessions.js';
import type { Services } from './wiring/services.js';
import { traceRequests } from './observability/request-spans.js';
import type { Tracing } from './observability/tracing.js';

export { LOG_REDACT } from './http/server-options.js';
export { VERSION } from './version.js';

export interface AppOptions {
  config: Config;
  services: Services;
  /** A pino destination stream (tests capture logs with it). */
  logStream?: NodeJS.WritableStream;
  /** OpenTelemetry tracing, when configured: a span per request. */
  tracing?: Tracing | undefined;
}

/** The HTTP server: Fastify set up (http/), the routes registered, the services' background work tied to its life. */
export async function createApp({ config, services, logStream, tracing }: AppOptions): Promise<FastifyInstance> {
  const stdoutLog = logStream === undefined ? batchedStdout() : undefined;
  const logDestination = logStream ?? stdoutLog!.stream;
  const app = Fastify(serverOptions(config, logDestination));
  app.decorateRequest('rootKey', undefined);
  app.decorateRequest('consoleUser', undefined);
  app.decorateRequest('idempotency', undefined);
  // Console cookies are `__Host-` and Secure whenever the console is served over TLS, also when a
  // TLS-terminating proxy forwards plain HTTP without saying so (see http/console-session.ts).
  app.decorate('consoleOverTls', config.consoleOrigin?.startsWith('https:') === true);
  const metrics = createMetrics(services);

  app.addSchema(ProblemSchema);
  await registerOpenApi(app);
  acceptEmptyJsonBody(app);
  const log = accessLog(config, logDestination);
  guardRequests(app, { tls: config.tlsCert !== undefined && config.tlsKey !== undefined, logUnrouted: log.logUnrouted });
  attachRouteHooks(app, { services, config, logRequest: log.logRequest });
  if (tracing !== undefined) traceRequests(app, tracing);
  answerErrors(app, log.logUnrouted);
  await registerDocs(app);

  await app.register(keyRoutes(services));
  await app.register(keyRolloverRoutes(services));
  await app.register(verifyRoutes(services, metrics));
  await app.register(forwardAuthRoutes(services, metrics, config));
  await app.register(gatewayRouteRoutes(services));
  await app.register(keyRecoveryRoutes(services));
  await app.register(rootKeyRoutes(services));
  await app.register(workspaceRoutes(services));
  await app.register(keyspaceRoutes(services));
  await app.register(auditRoutes(services));
  await app.register(consoleRoutes(services, { origin: config.consoleOrigin, sso: consoleSsoSettings(config) }));
  await app.register(oauthClientRoutes(services));
  await app.register(oauthEndpoints(services, config));
  await app.register(endUserRoutes(services));
  await app.register(endUserGrantRoutes(services));
  await app.register(workspaceBrandingRoutes(services));
  await app.register(portalSessionRoutes(services, config));
  await app.register(portalRoutes(services, config));
  await app.register(upstreamProviderRoutes(services, config));
  await app.register(secretRoutes(services));
  await app.register(secretRotationRoutes(services));
  await app.register(databaseRoutes(services));
  await app.register(eventRoutes(services));
  await app.register(monitoringRoutes(services));
  await app.register(operationsRoutes(services, config, metrics.registry));

  // Every app keeps its signing keys and console sessions; `tessera serve` starts the rest of the
  // background work. Closing the app stops all of it, last started first.
  app.addHook('onReady', () => services.lifecycle.start(['oauth', 'console', 'portal']));
  app.addHook('onClose', async () => {
    await services.lifecycle.stop();
    await stdoutLog?.stop();
  });
  return app;
}
