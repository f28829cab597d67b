import type { TypedApp } from '../http/typed-app.js';
import type { KeyBrief } from '@tessera/core';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { routeTable } from '../http/route-table.js';
import { iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { HygieneQuery, HygieneReport, SweepResult } from './hygiene-schemas.js';

const tags = ['hygiene'];

const briefView = <T extends KeyBrief>(k: T) => ({
  ...k,
  createdAt: iso(k.createdAt),
  lastUsedAt: iso(k.lastUsedAt),
  expiresAt: iso(k.expiresAt),
});

/** Key hygiene: the inventory report, and running the sweep (notices, automatic expiry) now. */
export function hygieneRoutes(app: TypedApp, services: Services): void {
  const route = routeTable(app, tags);
  const { hygiene, sweep } = services.monitoring;
  route.get(
    '/v1/hygiene',
    {
      permission: 'keys:read',
      operationId: 'getHygieneReport',
      summary:
        'Keys never used, unused for N days, expiring within N days, without expiry, and over-privileged (with a smaller scope set suggested)',
      querystring: HygieneQuery,
      response: { 200: HygieneReport, ...problems('NOT_FOUND') },
    },
    async (request) => {
      const q = request.query;
      const r = await hygiene.report(actorOf(request), {
        keyspaceId: q.keyspaceId,
        unusedDays: q.unusedDays ?? 90,
        expiringDays: q.expiringDays ?? 14,
        privilegeDays: q.privilegeDays ?? 30,
      });
      return {
        keyspaceId: r.keyspaceId,
        generatedAt: iso(r.generatedAt),
        liveKeys: r.liveKeys,
        neverUsed: r.neverUsed.map(briefView),
        unused: r.unused.map(briefView),
        expiringSoon: r.expiringSoon.map(briefView),
        noExpiry: r.noExpiry.map(briefView),
        overPrivileged: r.overPrivileged.map(briefView),
      };
    },
  );

  route.post(
    '/v1/hygiene/sweep',
    {
      permission: 'keyspaces:manage',
      operationId: 'runHygieneSweep',
      summary: 'Run the hygiene sweep now (it also runs every hour): notices, automatic expiry of unused keys',
      response: { 200: SweepResult },
    },
    async () => sweep.sweep(),
  );
}
