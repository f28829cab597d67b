// Benign traffic with seasons for `npm run bench:detect`: patterns that look odd to a naive
// detector but are ordinary, each a class whose findings are false positives. Every event of a
// class carries `benign: <class>`; attacks carry a label instead.
//
// Classes that must raise nothing:
//   nightly_batch   keys silent all day that run a heavy job for a few minutes every night
//   weekday_only    services busy on weekdays and silent on weekends (Monday resumes)
//   growth          keys whose traffic grows a fifth a day (six times over the run)
//   roaming_mobile  mobile clients: every use from another address, on a few dozen carrier
//                   networks of the key's country, now and then a network it was not seen on
//   stray_noise     random failed guesses from the internet at a low rate, a few tries each
// Classes an operator teaches (they raise a finding until it is resolved as benign):
//   probe_monitor   an uptime monitor that probes with a wrong key, 20 tries every hour
//   new_office      a key's owner opens an office: a new network, used every working day

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const BENIGN_CLASSES = ['nightly_batch', 'weekday_only', 'growth', 'roaming_mobile', 'stray_noise'];
export const TAUGHT_CLASSES = ['probe_monitor', 'new_office'];

/**
 * The benign keys (each with `rate(t)` per minute and `ip()`) and `extra(t)`, the keyless events
 * of minute `t`. `h` holds the scenario's random source and helpers, so a seed fixes everything.
 */
export function benignTraffic(h) {
  const { random, pick, net, poisson, start, attackStart, dayOf } = h;
  const regions = [10, 11, 12, 13, 14];
  const keys = [];
  const key = (cls, i, region, networks, rate, ip) =>
    keys.push({ id: `key_${cls}${i}`, owner: `own_${cls}_${i % 2}`, benign: cls, region, networks, rate, ip });
  for (let i = 0; i < 4; i++) {
    // A nightly job: 5 to 10 minutes of 100 to 300 uses a minute, between 01:00 and 04:00.
    const region = pick(regions);
    const networks = [net(region)];
    const at = (1 + Math.floor(random() * 3)) * HOUR + Math.floor(random() * 50) * MIN;
    const len = (5 + Math.floor(random() * 6)) * MIN;
    const perMinute = 100 + Math.floor(random() * 200);
    const ipOf = () => `${networks[0]}.${1 + Math.floor(random() * 4)}`;
    key('nightly_batch', i, region, networks, (t) => ((t % DAY) - at >= 0 && (t % DAY) - at < len ? perMinute : 0), ipOf);
  }
  for (let i = 0; i < 4; i++) {
    // Busy on weekdays around the clock (with a daily swing), silent on Saturday and Sunday.
    const region = pick(regions);
    const networks = [net(region), net(region)];
    const base = 0.5 + random() * 4;
    const phase = random() * 24;
    const rate = (t) => (dayOf(t) >= 5 ? 0 : base * (0.3 + (0.7 * (1 + Math.sin((((t % DAY) / HOUR - phase) / 24) * 2 * Math.PI))) / 2));
    key('weekday_only', i, region, networks, rate, () => `${pick(networks)}.${1 + Math.floor(random() * 30)}`);
  }
  for (let i = 0; i < 4; i++) {
    // A fifth more every day: six times the first day's traffic by the tenth.
    const region = pick(regions);
    const networks = [net(region)];
    const base = 0.3 + random() * 1.2;
    const phase = random() * 24;
    const rate = (t) =>
      base * 1.2 ** ((t - start) / DAY) * (0.4 + (0.6 * (1 + Math.sin((((t % DAY) / HOUR - phase) / 24) * 2 * Math.PI))) / 2);
    key('growth', i, region, networks, rate, () => `${networks[0]}.${1 + Math.floor(random() * 40)}`);
  }
  for (let i = 0; i < 4; i++) {
    // An app on phones: carrier networks of one country, a new one now and then.
    const region = pick(regions);
    const networks = Array.from({ length: 30 }, () => net(region));
    const base = 1 + random() * 3;
    const phase = random() * 24;
    const rate = (t) => base * (0.2 + (0.8 * (1 + Math.sin((((t % DAY) / HOUR - phase) / 24) * 2 * Math.PI))) / 2);
    const ip = () => `${random() < 0.02 ? net(region) : pick(networks)}.${1 + Math.floor(random() * 250)}`;
    key('roaming_mobile', i, region, networks, rate, ip);
  }
  // The taught classes start with the attacks' window: the detectors are mature by then.
  const officeKey = {
    id: 'key_new_office0',
    owner: 'own_new_office_0',
    benign: 'new_office',
    region: 10,
    networks: [net(10)],
  };
  const newOffice = net(10);
  officeKey.rate = (t) => {
    const hour = (t % DAY) / HOUR;
    return dayOf(t) < 5 && hour >= 8 && hour < 18 ? 3 : 0;
  };
  officeKey.ip = (t) =>
    `${t >= attackStart + 2 * HOUR && random() < 0.3 ? newOffice : officeKey.networks[0]}.${1 + Math.floor(random() * 20)}`;
  keys.push(officeKey);

  const monitor = `${net(13)}.77`;
  /** Keyless events of minute `t`: stray guesses, and the uptime monitor's probes. */
  const extra = (t) => {
    const out = [];
    for (let n = poisson(0.3, random); n > 0; n--) {
      const ip = `${net(pick(regions))}.${1 + Math.floor(random() * 250)}`;
      const outcome = random() < 0.7 ? 'NOT_FOUND' : 'MALFORMED';
      const keyspaceId = random() < 0.5 ? 'ks_bench' : null;
      const at = t + Math.floor(random() * (MIN - 5000));
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--)
        out.push({ at: at + k * 1000, keyId: null, ip, outcome, keyspaceId, benign: 'stray_noise' });
    }
    if (t >= attackStart && (t - attackStart) % HOUR === 7 * MIN)
      for (let k = 0; k < 20; k++) out.push({ at: t + k * 1000, keyId: null, ip: monitor, outcome: 'NOT_FOUND', benign: 'probe_monitor' });
    return out;
  };
  return { keys, extra };
}
