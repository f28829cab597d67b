import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  Guard,
  type Decision,
  type GuardOptions,
  type Identity,
  type RequestView,
  type RequireAccessTokenOptions,
  type RequireApiKeyOptions,
} from './middleware/guard.js';
import type { Tessera } from './client/tessera.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The caller verified by `requireApiKey` or `requireAccessToken`. */
      tessera?: Identity;
    }
  }
}

export type { GuardOptions, Identity, RequireAccessTokenOptions, RequireApiKeyOptions } from './middleware/guard.js';

/**
 * Tessera for Express: middleware that verifies an API key or an access token, puts the caller
 * on `req.tessera`, and answers 401/403/429/503 with the right headers otherwise.
 *
 * @example
 * ```ts
 * import { tessera } from '@tessera/sdk/express';
 * const { requireApiKey } = tessera({ baseUrl: 'http://127.0.0.1:8080', rootKey: process.env.TESSERA_ROOT_KEY });
 * app.get('/orders', requireApiKey({ scopes: 'orders:read' }), (req, res) => res.json(req.tessera));
 * ```
 */
export function tessera(options: GuardOptions): {
  requireApiKey(options?: RequireApiKeyOptions): RequestHandler;
  requireAccessToken(options: RequireAccessTokenOptions): RequestHandler;
  client: Tessera;
} {
  const guard = new Guard(options);
  const handler = (check: (req: RequestView) => Promise<Decision>) => (req: Request, res: Response, next: NextFunction) => {
    check(view(req)).then((decision) => {
      res.set(decision.headers);
      if (decision.ok) {
        req.tessera = decision.identity;
        return next();
      }
      res.status(decision.status).send(JSON.stringify(decision.body));
    }, next);
  };
  return {
    client: guard.client,
    requireApiKey(o) {
      const run = handler(guard.apiKeyChecker(o));
      return function requireApiKey(req, res, next) {
        run(req, res, next);
      };
    },
    requireAccessToken(o) {
      const run = handler(guard.tokenChecker(o));
      return function requireAccessToken(req, res, next) {
        run(req, res, next);
      };
    },
  };
}

function view(req: Request): RequestView {
  return { header: (name) => req.headers[name], method: req.method, url: req.originalUrl, ip: req.ip, protocol: req.protocol };
}
