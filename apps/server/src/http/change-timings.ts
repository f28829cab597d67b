import type { ChangeAction, ChangePhase } from '@tessera/core';
import { Histogram, type Registry } from 'prom-client';

/** From half a millisecond to two seconds: a revoke's phases are milliseconds; its tail is what is looked for. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];

/**
 * Where changes to keys spend their time, phase by phase, and how long the other nodes take to
 * acknowledge an invalidation: the metrics that say where a slow revoke's time went
 * (docs/monitoring.md, "Revocation"). Made before the shared state and the services, which feed
 * it; `/metrics` shows it.
 */
export class ChangeTimings {
  private readonly phases = new Histogram({
    name: 'tessera_key_change_phase_seconds',
    help: 'Time a change to a key (revoke, roll, update, delete, revoke by owner) spent per phase: begin and retry (transactions only), write, audit, commit, publish (the invalidation on every node, acknowledged).',
    labelNames: ['action', 'phase'],
    buckets: BUCKETS,
    registers: [],
  });
  private readonly bus = new Histogram({
    name: 'tessera_bus_publish_seconds',
    help: "An invalidation's time on the bus, per phase: send (to Redis or PostgreSQL), acknowledgements (until every live peer confirmed, or the wait ended).",
    labelNames: ['phase'],
    buckets: BUCKETS,
    registers: [],
  });
  private readonly peerAcks = new Histogram({
    name: 'tessera_bus_peer_ack_seconds',
    help: "Time from sending an invalidation to one peer's acknowledgement (one observation per peer).",
    buckets: BUCKETS,
    registers: [],
  });
  private readonly send = this.bus.labels('send');
  private readonly acks = this.bus.labels('acknowledgements');

  readonly observeChange = (action: ChangeAction, phase: ChangePhase, ms: number): void => {
    this.phases.labels(action, phase).observe(ms / 1000);
  };

  readonly busEvents = {
    onPublished: (sendMs: number, ackMs: number): void => {
      this.send.observe(sendMs / 1000);
      this.acks.observe(ackMs / 1000);
    },
    onPeerAck: (ms: number): void => this.peerAcks.observe(ms / 1000),
  };

  register(registry: Registry): void {
    for (const metric of [this.phases, this.bus, this.peerAcks]) registry.registerMetric(metric);
  }
}
