// Verify traffic at a steady rate on one node, in a process of its own so that its work never
// delays the measuring process's clock (bench/scale-bench.js). Until SIGTERM; then prints the
// number of answers it got and the milliseconds since it started. A RATE of 0 means no limit:
// each connection sends its next request as soon as its answer is in.
//   node bench/steady-load.js URL AUTHORIZATION RATE CONNECTIONS KEY…
//
// The requests are spread evenly over time: about every millisecond, the ones due by then go out
// on keep-alive connections that are free (at most CONNECTIONS in flight; a request due while all
// are busy goes as soon as one frees). autocannon's `overallRate`, used before, sends each
// second's quota back to back at the start of the second and then waits for the next: "half the
// capacity" was full load for half of every second and silence for the rest.
import { connect } from 'node:net';

const [url, authorization, rateArg, connectionsArg, ...keys] = process.argv.slice(2);
const rate = Number(rateArg) || Infinity;
const { hostname, port, host } = new URL(url);

const requests = keys.map((key) => {
  const body = JSON.stringify({ key });
  return Buffer.from(
    `POST /v1/keys/verify HTTP/1.1\r\nhost: ${host}\r\nauthorization: ${authorization}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
});
const HEAD_END = Buffer.from('\r\n\r\n');

let answers = 0;
let sent = 0;
let stopped = false;
const free = [];
const started = performance.now();
const due = () => Math.floor(((performance.now() - started) * rate) / 1000);

/** One keep-alive connection: one request in flight at a time, its answer read by its content-length. */
function connection() {
  const socket = connect({ host: hostname, port: Number(port), noDelay: true });
  let buffered = Buffer.alloc(0);
  const c = {
    send() {
      sent++;
      socket.write(requests[(Math.random() * requests.length) | 0]);
    },
  };
  socket.on('connect', () => release(c));
  socket.on('data', (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf(HEAD_END);
    if (end < 0) return;
    const length = /\r\ncontent-length: *(\d+)/i.exec(buffered.subarray(0, end).toString('latin1'));
    const total = end + HEAD_END.length + Number(length?.[1] ?? 0);
    if (buffered.length < total) return;
    buffered = buffered.subarray(total);
    answers++;
    release(c);
  });
  socket.on('error', (err) => {
    if (stopped) return;
    process.stderr.write(`steady-load: ${err.message}\n`);
    process.exit(1);
  });
  return socket;
}

/** A connection is free: it takes the next request if one is due, else waits for the next tick. */
function release(c) {
  if (!stopped && sent < due()) c.send();
  else free.push(c);
}

function tick() {
  if (stopped) return;
  const n = due();
  while (sent < n && free.length > 0) free.pop().send();
  setTimeout(tick, 1);
}

const sockets = Array.from({ length: Number(connectionsArg) }, connection);
tick();

process.on('SIGTERM', () => {
  stopped = true;
  for (const s of sockets) s.destroy();
  process.stdout.write(`${answers} ${Math.round(performance.now() - started)}\n`);
  process.exit(0);
});
