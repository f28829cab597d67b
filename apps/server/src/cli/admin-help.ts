/** The lines in `tessera --help` of the commands for root keys, webhooks, monitoring and the raw API, and their flags. */

import { flags } from './flag-help.js';

export const ADMIN_HELP = `  root-keys create --name N --permissions a,b [--keyspaces ID,ID] [--other-workspaces ID,ID] [--ttl SECONDS]
                                        create a root key (shown once) with at most your own permissions
                                        (and reaching, besides its workspace, other workspaces you reach)
  root-keys list                        root keys of the workspace (never the keys themselves)
  root-keys roll ID --grace SECONDS     a new root key; the old one works for the grace period
  root-keys revoke ID
  webhooks create URL --events a,b      subscribe an https endpoint (its signing secret is shown once)
  webhooks list
  webhooks get|delete|test|rotate-secret ID
  webhooks enable|disable ID
  webhooks deliveries ID [--limit N] [--all]
                                        attempts to deliver, newest first
  anomalies list [--status open|acknowledged|resolved] [--kind K] [--key ID] [--limit N]
  anomalies get|acknowledge|resolve ID
  suspensions list [--key ID] [--active]
  suspensions undo ID                   re-enable a key an anomaly suspended
  hygiene --keyspace ID                 unused, expiring, never-expiring and over-privileged keys
  hygiene --sweep                       run the hourly sweep now (notices, expiry of unused keys)
  analytics verifications [--key ID|--owner ID|--keyspace ID] [--from T] [--to T] [--granularity minute|hour|day]
  analytics top --by key|owner|keyspace|ip|network [--outcome CODE] [--from T] [--to T] [--limit N]
                                        verifications from the stored roll-ups of every node (T: RFC 3339, or how long ago: 30m, 24h, 7d)
  api METHOD PATH [--data JSON|@FILE|-] [--all]
                                        call any endpoint (docs/api.md) with the root key; --all follows every page`;

export const ADMIN_OPTIONS = flags(
  ['permissions', 'keyspaces', 'events', 'status', 'kind', 'key', 'by', 'outcome', 'to', 'granularity', 'data'],
  ['active', 'sweep', 'all'],
);
