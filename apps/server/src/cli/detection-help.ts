/** The detection-tuning flags of `tessera keyspaces policy`, their help lines, and how they are read. */

import { flags } from './flag-help.js';

export const DETECTION_HELP = `  keyspaces policy KEYSPACE_ID [--sensitivity X] [--quiet-hours 0-5,22|none] [--known-networks CIDR,…|none]
                                        tune the keyspace's anomaly detection (see docs/monitoring.md)`;

export const DETECTION_OPTIONS = flags(['sensitivity', 'quiet-hours', 'known-networks']);
