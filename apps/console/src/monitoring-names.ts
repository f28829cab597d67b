import { WEBHOOK_EVENT_TYPES } from '@tessera/api';

/** What a webhook may subscribe to (`webhook.test` is only ever sent on request). */
export const WEBHOOK_EVENTS = WEBHOOK_EVENT_TYPES.filter((t) => t !== 'webhook.test');

/** `new_network` → `New network`. */
export const kindLabel = (kind: string): string => kind[0]!.toUpperCase() + kind.slice(1).replaceAll('_', ' ');
