// The baseline: a bare Fastify server with one POST route that answers a JSON body of the same
// size as Tessera's answer to a valid key (or, at /oauth/token, to a form-encoded token request:
// the ceiling of the token-endpoint benchmark), or exactly the bytes of a given answer. Run by
// `run.js` in its own process:
//   node bench/bare-server.js <answer size in bytes>
//   node bench/bare-server.js --answer '<JSON answer>'   (the very same bytes: parsed, then stringified)
// It prints {"port": N} once listening.
import Fastify from 'fastify';

let answer;
if (process.argv[2] === '--answer') {
  answer = JSON.parse(process.argv[3]);
  if (JSON.stringify(answer) !== process.argv[3]) throw new Error('the answer does not stringify to the same bytes');
} else {
  const size = Number(process.argv[2]);
  const base = { valid: true, code: 'VALID', pad: '' };
  const padding = size - Buffer.byteLength(JSON.stringify(base));
  if (!Number.isInteger(size) || padding < 0) throw new Error(`cannot answer ${process.argv[2]} bytes`);
  answer = { ...base, pad: 'x'.repeat(padding) };
}

const app = Fastify();
app.post('/v1/keys/verify', async () => answer);
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/oauth/token', async () => answer);
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ port: app.server.address().port }) + '\n');
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
