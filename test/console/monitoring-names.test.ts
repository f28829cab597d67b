import { ANOMALY_KINDS, ANOMALY_STATUSES, SEVERITIES, WEBHOOK_EVENT_TYPES } from '@tessera/api';
import { describe, expect, it } from 'vitest';
import * as consoleNames from '../../apps/console/src/monitoring-names.js';

/** The console offers the monitoring routes' closed sets in its filters and forms: the same sets. */
describe("the console's monitoring names", () => {
  it('are the domain’s anomaly kinds, severities and states', () => {
    expect(consoleNames.ANOMALY_KINDS).toEqual(ANOMALY_KINDS);
    expect(consoleNames.SEVERITIES).toEqual(SEVERITIES);
    expect(consoleNames.ANOMALY_STATUSES).toEqual(ANOMALY_STATUSES);
  });

  it('are the webhook event types a subscription may ask for', () => {
    expect(consoleNames.WEBHOOK_EVENTS).toEqual(WEBHOOK_EVENT_TYPES.filter((t) => t !== 'webhook.test'));
  });
});
