// Started by blocked-pool.test.ts with UV_THREADPOOL_SIZE=1, on the built packages: occupies libuv's
// only pool thread with a PBKDF2 hash, then resolves names and delivers a webhook meanwhile, and
// prints when each finished (ms after the hash started) as JSON. Arguments: a hosts file, a database file.
import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns';
import { createServer } from 'node:http';
import { DEFAULT_WORKSPACE_ID, MemoryKeyring, systemClock, WebhookService } from '@tessera/core';
import { KyselyStore, kyselyPorts } from '@tessera/store';
// Not in the package's API: the module itself, as built.
import { hostLookup } from '../../packages/core/dist/net/host-lookup.js';

const [hostsFile, databaseFile] = process.argv.slice(2);

// Everything that may touch the pool happens first: listening, opening and migrating the store, a subscription.
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const port = receiver.address().port;
const store = KyselyStore.open({ kind: 'sqlite', file: databaseFile });
await store.migrate();
const webhooks = new WebhookService(
  { store: kyselyPorts(store).monitoring, keyring: MemoryKeyring.generate(), clock: systemClock },
  { allowHttp: true, allowPrivate: ['127.0.0.0/8', '::1'] }, // the receiver is on loopback
);
const actor = { id: 'system:test', workspaceId: DEFAULT_WORKSPACE_ID, ip: null };
const { record } = await webhooks.create(actor, { url: `http://localhost:${port}/hooks`, events: ['*'] });
const lookup = hostLookup({ hostsFile, timeoutMs: 250, tries: 1 });
await fetch(`http://127.0.0.1:${port}/warm-up`, { method: 'POST' }); // an address: no lookup

// Iterations for about 1.5 s, measured on this thread: the fastest of three samples, so a sample
// slowed by a busy machine does not make the real run shorter than meant.
let fastest = Infinity;
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  pbkdf2Sync('secret', 'salt', 20_000, 32, 'sha256');
  fastest = Math.min(fastest, performance.now() - started);
}
const iterations = Math.ceil((20_000 / fastest) * 1500);
let t = performance.now();

const finished = {};
const track = (name, promise) =>
  promise.then(
    (result) => (finished[name] = { ms: Math.round(performance.now() - t), result }),
    (err) => (finished[name] = { ms: Math.round(performance.now() - t), error: err.code ?? err.message }),
  );
const lookUp = (lookupFn, name, options) =>
  new Promise((ok, fail) =>
    lookupFn(name, options, (err, address, family) => (err ? fail(err) : ok(options.all ? address : { address, family }))),
  );

t = performance.now();
await Promise.all([
  track('pbkdf2', new Promise((resolve) => pbkdf2('secret', 'salt', iterations, 32, 'sha256', () => resolve(iterations)))),
  track('hostLookup: hosts file', lookUp(lookup, 'hooks.tessera.test', { all: true })),
  track('hostLookup: localhost', lookUp(lookup, 'localhost', { all: true })),
  track('hostLookup: DNS', lookUp(lookup, 'nowhere.tessera.invalid', { all: true })),
  track(
    'delivery',
    webhooks.test(actor, record.id).then((d) => ({ status: d.status, responseStatus: d.responseStatus, lastError: d.lastError })),
  ),
  // The contrast: getaddrinfo() on the pool, directly and under fetch (the former sender).
  track('dns.lookup', lookUp(dnsLookup, 'localhost', { all: true })),
  track(
    'fetch',
    fetch(`http://localhost:${port}/hooks`, { method: 'POST' }).then((res) => res.status),
  ),
]);
process.stdout.write(JSON.stringify(finished));
receiver.close();
await store.close();
