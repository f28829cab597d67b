import { appendAudit } from '../audit/audit-chain.js';
import type { Clock } from '../clock.js';
import type { OAuthClientRecord } from './oauth-records.js';
import type { OAuthStore } from './oauth-store.js';

const DAY_MS = 86_400_000;
const PAGE = 100;

type DueFields = Pick<OAuthClientRecord, 'secretRotationDueAt' | 'secretRotationNotifiedAt'>;

/** When a client's secret falls due under its schedule, counted from when the secret was issued. */
export function dueFields(client: Pick<OAuthClientRecord, 'secretRotationDays'>, secretIssuedAt: number): DueFields {
  if (client.secretRotationDays === null) return { secretRotationDueAt: null, secretRotationNotifiedAt: null };
  return { secretRotationDueAt: secretIssuedAt + client.secretRotationDays * DAY_MS, secretRotationNotifiedAt: null };
}

/**
 * The scheduled step of secret-rotation schedules. Tessera does not rotate a scheduled secret by
 * itself: a new secret that nobody receives would only cut the client off when the old one ends,
 * and a secret is never sent in a webhook. Instead the owner is told, once a secret, that it is
 * due — an audit entry `oauth_client.secret_rotation_due`, which the webhook feed delivers as the
 * event of that name — and the owner's rotate call keeps the schedule's overlap. A node that finds
 * another already told the owner sends nothing. Answers how many were told.
 */
export async function noticeDueSecrets(deps: { store: OAuthStore; clock: Clock }): Promise<number> {
  let told = 0;
  for (;;) {
    const now = deps.clock.now();
    const due = await deps.store.listClientsDueForSecretRotation(now, PAGE);
    for (const c of due) {
      const dueAt = c.secretRotationDueAt!;
      const sent = await deps.store.transaction(async (tx) => {
        if (!(await tx.markSecretRotationNotified(c.id, dueAt, now))) return false;
        await appendAudit(
          tx,
          deps.clock,
          { id: 'system', workspaceId: c.workspaceId, ip: null },
          {
            action: 'oauth_client.secret_rotation_due',
            target: c.id,
            details: {
              name: c.name,
              dueAt: new Date(dueAt).toISOString(),
              intervalDays: c.secretRotationDays,
              overlapSeconds: c.secretRotationOverlapSeconds,
            },
          },
        );
        return true;
      });
      if (sent) told++;
    }
    if (due.length < PAGE) return told;
  }
}
