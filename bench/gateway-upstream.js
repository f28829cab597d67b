// The API behind the gateway in bench/gateway.js: a Node HTTP server answering every request with
// the same small JSON body. Prints {"port": N} once listening.
import { createServer } from 'node:http';

const body = JSON.stringify({ orders: [{ id: 'ord_1', total: 4200 }] });
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
