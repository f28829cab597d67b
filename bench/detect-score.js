// Scores runs of bench/detect-nodes.js: per class of attack precision, recall and time to detect;
// per benign class its false positives; the operator's feedback and what recurred after it.
import { BENIGN_CLASSES, TAUGHT_CLASSES } from './detect-benign.js';

/** One run's tallies, to be summed over seeds. */
export function tally(s, run) {
  const classOf = new Map(s.attacks.map((a) => [a.id, a.kind]));
  const classes = {};
  for (const a of s.attacks) {
    const c = (classes[a.kind] ??= { attacks: 0, detected: 0, tp: 0, fp: 0, findings: 0, ttd: [], detector: a.detector, by: {} });
    c.attacks++;
    const hits = run.findings.filter((f) => f.label === a.id);
    c.findings += hits.length;
    const first = run.firstMalicious.get(a.id);
    const times = hits.map((h) => h.detectedAt);
    // A spread attack that began while a fleet-wide incident was open is counted on it: the
    // incident, judged high again while the attack runs, is detection too.
    if (a.detector === 'fleet-failures')
      for (const r of run.repeats) if (r.at >= first && r.at <= run.lastMalicious.get(a.id) + 600_000) times.push(r.at);
    if (times.length > 0) {
      c.detected++;
      c.ttd.push((Math.min(...times) - first) / 1000);
      for (const h of hits) c.by[h.detector] = (c.by[h.detector] ?? 0) + 1;
      if (hits.length === 0) c.by.repeat = (c.by.repeat ?? 0) + 1;
    }
  }
  // Precision of a class: of the findings its detector raised, those about this class's attacks
  // against those about no attack (findings about another class's attacks count for neither). The
  // taught classes' findings are new behaviour an operator resolves once: they are reported apart.
  for (const c of Object.values(classes)) {
    const mine = run.findings.filter((f) => f.detector === c.detector);
    c.tp = mine.filter((f) => f.label !== null && classes[classOf.get(f.label)] === c).length;
    c.fp = mine.filter((f) => f.label === null && !TAUGHT_CLASSES.includes(f.benign)).length;
  }
  const benign = {};
  for (const name of [...BENIGN_CLASSES, ...TAUGHT_CLASSES, 'normal', 'background']) benign[name] = { findings: 0, byKind: {}, after: 0 };
  for (const f of run.findings) {
    if (f.label !== null) continue;
    const b = (benign[f.benign] ??= { findings: 0, byKind: {}, after: 0 });
    b.findings++;
    b.byKind[f.kind] = (b.byKind[f.kind] ?? 0) + 1;
    // Recurred: the same kind on the same subject (and key) after an operator resolved it as benign.
    if (run.resolved.some((r) => r.kind === f.kind && r.subject === f.subject && r.keyId === f.keyId && r.at < f.detectedAt)) b.after++;
  }
  return { classes, benign, resolved: run.resolved.length, events: run.events, seconds: run.seconds, errors: run.exchangeErrors };
}

/** Sums tallies of several seeds. */
export function sum(tallies) {
  const out = { classes: {}, benign: {}, resolved: 0, events: 0, seconds: 0, errors: 0 };
  for (const t of tallies) {
    out.resolved += t.resolved;
    out.events += t.events;
    out.seconds += t.seconds;
    out.errors += t.errors;
    for (const [k, c] of Object.entries(t.classes)) {
      const o = (out.classes[k] ??= { attacks: 0, detected: 0, tp: 0, fp: 0, findings: 0, ttd: [], detector: c.detector, by: {} });
      for (const f of ['attacks', 'detected', 'tp', 'fp', 'findings']) o[f] += c[f];
      for (const [d, n] of Object.entries(c.by)) o.by[d] = (o.by[d] ?? 0) + n;
      o.ttd.push(...c.ttd);
    }
    for (const [k, b] of Object.entries(t.benign)) {
      const o = (out.benign[k] ??= { findings: 0, byKind: {}, after: 0 });
      o.findings += b.findings;
      o.after += b.after;
      for (const [kind, n] of Object.entries(b.byKind)) o.byKind[kind] = (o.byKind[kind] ?? 0) + n;
    }
  }
  return out;
}

export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Rows of a summed tally, per class of attack. */
export function classRows(t) {
  return Object.entries(t.classes).map(([kind, c]) => ({
    class: kind,
    detector: c.detector,
    attacks: c.attacks,
    detected: c.detected,
    findings: c.findings,
    falsePositives: c.fp,
    precision: c.tp + c.fp === 0 ? null : c.tp / (c.tp + c.fp),
    recall: c.detected / c.attacks,
    ttdMedianS: median(c.ttd),
    ttdMaxS: c.ttd.length ? Math.max(...c.ttd) : null,
    findingsBy: c.by,
  }));
}

export const meetsTargets = (rows) => rows.every((r) => (r.precision ?? 1) >= 0.95 && r.recall >= 0.95 && (r.ttdMaxS ?? 0) <= 300);
