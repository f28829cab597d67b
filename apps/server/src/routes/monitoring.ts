import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../wiring/services.js';
import { analyticsRoutes } from './analytics.js';
import { ANALYTICS_SCHEMAS } from './analytics-schemas.js';
import { anomalyRoutes } from './anomalies.js';
import { ANOMALY_SCHEMAS } from './anomaly-schemas.js';
import { honeytokenRoutes } from './honeytokens.js';
import { hygieneRoutes } from './hygiene.js';
import { HYGIENE_SCHEMAS } from './hygiene-schemas.js';
import { keyspacePolicyRoutes } from './keyspace-policies.js';
import { leakedKeyRoutes } from './leaked-keys.js';
import { suspensionRoutes } from './suspensions.js';
import { webhookRoutes } from './webhooks.js';
import { WEBHOOK_SCHEMAS } from './webhook-schemas.js';

/**
 * The monitoring API: usage analytics, anomalies, suspensions, keyspace policies, honeytokens,
 * leak reports, webhooks and hygiene. Their named shapes are registered once here, for every
 * route below to refer to.
 */
export function monitoringRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();
    for (const schema of [...ANALYTICS_SCHEMAS, ...ANOMALY_SCHEMAS, ...HYGIENE_SCHEMAS, ...WEBHOOK_SCHEMAS]) app.addSchema(schema);
    for (const routes of [
      analyticsRoutes,
      anomalyRoutes,
      suspensionRoutes,
      keyspacePolicyRoutes,
      honeytokenRoutes,
      leakedKeyRoutes,
      webhookRoutes,
      hygieneRoutes,
    ])
      routes(app, services);
  };
}
