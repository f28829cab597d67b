// The baseline of the cold-cache benchmark (bench/pg-cold.js): a bare Fastify route that does what
// any verification must do when nothing is cached — one HMAC-SHA256 of the key and one indexed
// query by that hash on PostgreSQL, through a `pg` pool of Tessera's size (10), as a named
// prepared statement (planned once per connection, as Tessera's own lookup is) — and answers the
// row as JSON. Run in its own process:
//   node bench/pg-raw-server.js <database URL> <schema> <pepper, hex>
// It prints {"port": N} once listening.
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const [url, schema, pepperHex] = process.argv.slice(2);
const pepper = Buffer.from(pepperHex, 'hex');
const pool = new pg.Pool({ connectionString: url, max: 10 });
const query = `select id, keyspace_id, owner_id, name from "${schema}".raw_keys where hash = $1`;

const app = Fastify();
app.post('/v1/keys/verify', async (request) => {
  const hash = createHmac('sha256', pepper).update(request.body.key).digest('base64url');
  const { rows } = await pool.query({ name: 'raw_key_by_hash', text: query, values: [hash] });
  const row = rows[0];
  if (row === undefined) return { valid: false, code: 'NOT_FOUND' };
  return {
    valid: true,
    code: 'VALID',
    keyId: row.id,
    keyspaceId: row.keyspace_id,
    ownerId: row.owner_id,
    name: row.name,
    scopes: [],
    meta: null,
    environment: null,
    expiresAt: null,
    credits: null,
  };
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ port: app.server.address().port }) + '\n');
process.once('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
