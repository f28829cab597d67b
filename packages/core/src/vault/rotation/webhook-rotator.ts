import type { LookupFunction } from 'node:net';
import type { Clock } from '../../clock.js';
import { hostLookup } from '../../net/host-lookup.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../webhooks/webhook-signature.js';
import type { WebhookTargetPolicy } from '../../webhooks/webhook-target.js';
import { exchange } from './rotation-exchange.js';
import { RotationError, type RotationRequest, type Rotator } from './rotator.js';

const MAX_VALUE_BYTES = 64 * 1024;

/**
 * The integrator's endpoint makes the credential. Two signed POSTs (the signature of Tessera's
 * webhooks: `tessera-signature: t=…,v1=HMAC-SHA256(secret, "t.body")`):
 * 1. `secret.rotation.create` — the endpoint makes a new credential, keeps the old one working,
 *    and answers `200 {"value": "…"}`;
 * 2. `secret.rotation.confirm` — once Tessera holds the new value (pending), the endpoint checks
 *    it and answers 2xx; only then does the value become the secret's current version.
 * Anything else fails the attempt: the pending value is dropped and the current one stays.
 */
export class WebhookRotator implements Rotator {
  private readonly lookup: LookupFunction;

  constructor(private readonly deps: { clock: Clock; lookup?: LookupFunction; policy: WebhookTargetPolicy; timeoutMs: number }) {
    this.lookup = deps.lookup ?? hostLookup();
  }

  async create(r: RotationRequest): Promise<string> {
    const answer = await this.post(r, { type: 'secret.rotation.create', currentVersion: r.currentVersion });
    if (answer.status !== 200) throw new RotationError(`the endpoint answered HTTP ${answer.status} to create`);
    let value: unknown;
    try {
      value = (JSON.parse(answer.body) as { value?: unknown }).value;
    } catch {
      value = undefined;
    }
    if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > MAX_VALUE_BYTES)
      throw new RotationError('the endpoint did not answer create with {"value": "<the new credential>"} (at most 64 KiB)');
    return value;
  }

  async confirm(r: RotationRequest): Promise<void> {
    const answer = await this.post(r, { type: 'secret.rotation.confirm', version: r.currentVersion + 1 });
    if (answer.status < 200 || answer.status > 299) throw new RotationError(`the endpoint answered HTTP ${answer.status} to confirm`);
  }

  private post(r: RotationRequest, fields: Record<string, unknown>) {
    if (r.settings.kind !== 'webhook' || r.signingSecret === null) throw new RotationError('not a webhook rotation');
    const now = this.deps.clock.now();
    const body = JSON.stringify({ ...fields, rotationId: r.rotationId, secret: r.secretName, at: new Date(now).toISOString() });
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Tessera-Rotation/1',
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook(r.signingSecret, Math.floor(now / 1000), body),
    };
    return exchange(r.settings.url, { headers, body, timeoutMs: this.deps.timeoutMs }, { lookup: this.lookup, policy: this.deps.policy });
  }
}
