import { UsageError } from './context.js';

/** The policy fields the detection flags set. */
export function detectionPatch(flags: {
  sensitivity?: string;
  'quiet-hours'?: string;
  'known-networks'?: string;
}): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (flags.sensitivity !== undefined) {
    const x = Number(flags.sensitivity);
    if (!/^\d+(\.\d+)?$/.test(flags.sensitivity) || x < 0.25 || x > 4)
      throw new UsageError('--sensitivity must be a number from 0.25 to 4');
    patch.detectionSensitivity = x;
  }
  if (flags['quiet-hours'] !== undefined) patch.quietHours = hours(flags['quiet-hours']);
  if (flags['known-networks'] !== undefined)
    patch.knownNetworks =
      flags['known-networks'] === 'none'
        ? []
        : flags['known-networks']
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean);
  return patch;
}

/** `0-5,22,23` (hours of the day, UTC; a range may wrap midnight: `22-2`) or `none`. */
function hours(value: string): number[] {
  if (value === 'none') return [];
  const out = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*(\d{1,2})(?:\s*-\s*(\d{1,2}))?\s*$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (m === null || from > 23 || to > 23) throw new UsageError('--quiet-hours takes hours of the day (0-23) and ranges: 0-5,22,23');
    for (let h = from; ; h = (h + 1) % 24) {
      out.add(h);
      if (h === to) break;
    }
  }
  return [...out].sort((a, b) => a - b);
}
