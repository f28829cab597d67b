import { appendAudit, type Actor } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { InvalidationBus } from '../invalidation-bus.js';
import type { Repos } from '../store/store.js';
import {
  compileRules,
  DEFAULT_KEY_HEADER,
  validateGatewayRoutes,
  type CompiledRule,
  type GatewayRoutes,
  type RouteRule,
} from './route-rules.js';

/** A keyspace's gateway routes as the forward-auth path reads them: compiled, with the keyspace's workspace. */
export interface ActiveRoutes {
  keyspaceId: string;
  workspaceId: string;
  keyHeader: string;
  rules: readonly CompiledRule[];
  /** Access tokens for this audience are accepted too; undefined: API keys only. */
  audience: string | undefined;
}

/**
 * The gateway routes of keyspaces: read and replaced through the API (validated, audited), and
 * kept compiled in memory for the forward-auth path, which reads the store once per keyspace. A
 * change is published on the invalidation bus, so every node drops its copy (`forget`).
 */
export class GatewayRouteService {
  private readonly active = new Map<string, ActiveRoutes>();
  private readonly loading = new Map<string, Promise<ActiveRoutes | undefined>>();
  private generation = 0;

  constructor(
    private readonly deps: {
      store: Pick<Repos, 'getKeyspace' | 'getGatewayRoutes'> & { transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T> };
      clock: Clock;
      bus: InvalidationBus;
    },
  ) {}

  async get(actor: Actor, keyspaceId: string): Promise<GatewayRoutes> {
    await this.keyspaceOf(actor, keyspaceId);
    return (await this.deps.store.getGatewayRoutes(keyspaceId)) ?? { keyHeader: DEFAULT_KEY_HEADER, rules: [], updatedAt: 0 };
  }

  async put(
    actor: Actor,
    keyspaceId: string,
    input: { keyHeader?: string | undefined; rules: RouteRule[]; audience?: string | undefined },
  ): Promise<GatewayRoutes> {
    const keyHeader = (input.keyHeader ?? DEFAULT_KEY_HEADER).toLowerCase();
    validateGatewayRoutes(keyHeader, input.rules, input.audience);
    const routes: GatewayRoutes = {
      keyHeader,
      rules: input.rules.map(plainRule),
      ...(input.audience !== undefined && { audience: input.audience }),
      updatedAt: this.deps.clock.now(),
    };
    await this.deps.store.transaction(async (tx) => {
      const ks = await tx.getKeyspace(keyspaceId);
      if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
      await tx.setGatewayRoutes(keyspaceId, routes);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'keyspace.gateway_routes_updated',
        target: keyspaceId,
        details: { keyHeader, rules: routes.rules.length, audience: routes.audience ?? null },
      });
    });
    this.forget(keyspaceId);
    await this.deps.bus.publish({ kind: 'keyspace', id: keyspaceId });
    return routes;
  }

  /** The routes the forward-auth path applies: from memory, or read once (undefined: no such keyspace). */
  routesFor(keyspaceId: string): ActiveRoutes | undefined | Promise<ActiveRoutes | undefined> {
    const hit = this.active.get(keyspaceId);
    if (hit !== undefined) return hit;
    let load = this.loading.get(keyspaceId);
    if (load === undefined) {
      load = this.load(keyspaceId).finally(() => this.loading.delete(keyspaceId));
      this.loading.set(keyspaceId, load);
    }
    return load;
  }

  /** Drops a keyspace's routes from memory (every keyspace's when no id is given). */
  forget(keyspaceId?: string): void {
    this.generation++;
    if (keyspaceId === undefined) this.active.clear();
    else this.active.delete(keyspaceId);
  }

  private async load(keyspaceId: string): Promise<ActiveRoutes | undefined> {
    const generation = this.generation;
    let ks, routes;
    try {
      [ks, routes] = await Promise.all([this.deps.store.getKeyspace(keyspaceId), this.deps.store.getGatewayRoutes(keyspaceId)]);
    } catch {
      throw new TesseraError('STORE_UNAVAILABLE', 'The key store is unavailable; try again shortly.');
    }
    if (ks === undefined) return undefined;
    const active: ActiveRoutes = {
      keyspaceId,
      workspaceId: ks.workspaceId,
      keyHeader: routes?.keyHeader ?? DEFAULT_KEY_HEADER,
      rules: compileRules(routes?.rules ?? []),
      audience: routes?.audience,
    };
    // A change that raced with this read may have made it stale: answer with it, but do not keep it.
    if (generation === this.generation) this.active.set(keyspaceId, active);
    return active;
  }

  private async keyspaceOf(actor: Actor, keyspaceId: string) {
    const ks = await this.deps.store.getKeyspace(keyspaceId);
    if (ks === undefined || ks.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
    return ks;
  }
}

/** A rule as it is kept: only the fields it has, methods in upper case, no empty scopes. */
function plainRule(r: RouteRule): RouteRule {
  return {
    ...(r.methods !== undefined && { methods: r.methods.map((m) => m.toUpperCase()) }),
    path: r.path,
    ...(r.scopes !== undefined && r.scopes.trim() !== '' && { scopes: r.scopes.trim() }),
  };
}
