import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { TesseraError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { OAuthStore } from '../oauth-store.js';
import { DiscoveryError, type UpstreamDiscovery } from './upstream-discovery.js';
import type { ClaimMapping, UpstreamProviderRecord } from './upstream-provider-records.js';

export interface NewUpstreamProvider {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[] | undefined;
  claimMapping?: ClaimMapping | undefined;
}

/** The additional authenticated data that binds a provider's client secret to its row. */
export const upstreamSecretAad = (id: string) => `upstream_provider:${id}`;

const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;

/**
 * A workspace's upstream OpenID Providers (`oauth:manage`): registered once their discovery
 * document reads right, their client secrets kept under the workspace's data key and never shown.
 * Registration and removal are audited in their transaction.
 */
export class UpstreamProviders {
  constructor(private readonly deps: { store: OAuthStore; keyring: Keyring; clock: Clock; discovery: UpstreamDiscovery }) {}

  async register(actor: Actor, input: NewUpstreamProvider): Promise<UpstreamProviderRecord> {
    const workspaceId = workspaceOf(actor);
    const scopes = [...new Set(['openid', ...(input.scopes ?? ['email', 'profile'])])];
    const bad = scopes.find((s) => !SCOPE.test(s));
    if (bad !== undefined) throw new TesseraError('VALIDATION_FAILED', `scope ${JSON.stringify(bad)} is not a scope token`);
    try {
      await this.deps.discovery.discover(input.issuer, true);
    } catch (err) {
      if (err instanceof DiscoveryError) throw new TesseraError('VALIDATION_FAILED', `issuer: ${err.message}`);
      throw err;
    }
    const now = this.deps.clock.now();
    const id = newId('upstreamProvider', now);
    const provider: UpstreamProviderRecord = {
      id,
      workspaceId,
      name: input.name,
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecretCiphertext: await this.deps.keyring.encrypt(Buffer.from(input.clientSecret, 'utf8'), upstreamSecretAad(id), {
        workspaceId,
      }),
      scopes,
      claimMapping: input.claimMapping ?? {},
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.insertUpstreamProvider(provider)))
        throw new TesseraError('CONFLICT', 'This workspace has an upstream provider of that name already.');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_upstream_provider.created',
        target: id,
        details: { name: provider.name, issuer: provider.issuer, clientId: provider.clientId, scopes },
      });
    });
    return provider;
  }

  list(actor: Actor): Promise<UpstreamProviderRecord[]> {
    return this.deps.store.listUpstreamProviders(workspaceOf(actor));
  }

  async get(actor: Actor, id: string): Promise<UpstreamProviderRecord> {
    const p = await this.deps.store.getUpstreamProvider(id);
    if (p === undefined || p.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such upstream provider.');
    return p;
  }

  /** Removes a provider and the accounts linked to it; the users stay, and sign in some other way. */
  async remove(actor: Actor, id: string): Promise<void> {
    const p = await this.get(actor, id);
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.deleteUpstreamProvider(id))) throw new TesseraError('NOT_FOUND', 'No such upstream provider.');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'oauth_upstream_provider.deleted',
        target: id,
        details: { name: p.name, issuer: p.issuer },
      });
    });
  }
}

function workspaceOf(actor: Actor): string {
  if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
  return actor.workspaceId;
}
