import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/**
 * The issuer's URL, as the OAuth endpoints name themselves and as access tokens carry it in `iss`:
 * the configured one, or else this server's own address (known once it listens).
 */
export function issuerOf(app: FastifyInstance, config: Config): () => string {
  let issuer = config.issuer?.replace(/\/+$/, '');
  return () => {
    if (issuer === undefined) {
      const a = app.server.address() as AddressInfo | null;
      const host =
        a === null || a.address === '0.0.0.0' || a.address === '::' ? 'localhost' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
      issuer = `${config.tlsCert !== undefined ? 'https' : 'http'}://${host}:${a?.port ?? config.port}`;
    }
    return issuer;
  };
}
