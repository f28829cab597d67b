import type { Services } from '../wiring/services.js';

/**
 * The targets of a page of audit entries by name: a key's name, a keyspace's, a root key's, an
 * OAuth client's, a console user's email, an anomaly's kind and key. Only what belongs to the workspace is named; a target
 * that is gone (a deleted key) or has no name keeps its id.
 */
export async function targetNames(
  services: Services,
  workspaceId: string,
  targets: Iterable<string | null>,
  actorNames: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const lookups: Promise<void>[] = [];
  for (const target of new Set(targets)) {
    if (target === null) continue;
    const prefix = target.slice(0, target.indexOf('_'));
    const lookup = async (): Promise<{ name: string | null; workspaceId: string } | undefined> => {
      if (prefix === 'key') return services.store.getKey(target);
      if (prefix === 'ks') return services.store.getKeyspace(target);
      if (prefix === 'cli') return services.oauth.store.getClient(target);
      if (prefix === 'anm') {
        // A finding by its kind and the key it is about: "Revoked key used: Old integration".
        const a = await services.monitoring.store.getAnomaly(target);
        if (a === undefined) return undefined;
        const key = a.keyId === null ? undefined : await services.store.getKey(a.keyId);
        const kind = `${a.kind[0]!.toUpperCase()}${a.kind.slice(1).replaceAll('_', ' ')}`;
        return { workspaceId: a.workspaceId, name: key?.name && key.workspaceId === workspaceId ? `${kind}: ${key.name}` : kind };
      }
      return undefined;
    };
    if (prefix === 'usr' || prefix === 'rk') {
      const name = actorNames.get(`${prefix === 'usr' ? 'user' : 'root_key'}:${target}`);
      if (name !== undefined) names.set(target, name);
      continue;
    }
    lookups.push(
      lookup().then((r) => {
        if (r !== undefined && r.workspaceId === workspaceId && r.name) names.set(target, r.name);
      }),
    );
  }
  await Promise.all(lookups);
  return names;
}
