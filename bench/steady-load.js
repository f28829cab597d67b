// Verify traffic at a steady rate on one node, in a process of its own so that its work never
// delays the measuring process's clock (bench/scale-bench.js). Until SIGTERM; then prints the
// number of answers it got.
//   node bench/steady-load.js URL AUTHORIZATION RATE CONNECTIONS KEY…
import autocannon from 'autocannon';

const [url, authorization, rate, connections, ...keys] = process.argv.slice(2);
let answers = 0;
const instance = autocannon({
  url: `${url}/v1/keys/verify`,
  method: 'POST',
  headers: { authorization, 'content-type': 'application/json' },
  connections: Number(connections),
  overallRate: Number(rate),
  duration: 3600,
  requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ key: keys[(Math.random() * keys.length) | 0] }) }) }],
});
instance.on('response', () => answers++);
instance.on('done', () => {
  process.stdout.write(`${answers}\n`);
  process.exit(0);
});
process.on('SIGTERM', () => instance.stop());
