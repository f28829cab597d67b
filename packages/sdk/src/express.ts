import type { Request, RequestHandler } from 'express';
import type { GuardOptions, Identity, RequestView } from './middleware/guard.js';
import { middlewareFactory, type TesseraMiddleware } from './middleware/middleware-factory.js';

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
export function tessera(options: GuardOptions): TesseraMiddleware<RequestHandler> {
  return middlewareFactory<RequestHandler>(options, (check) => (req, res, next) => {
    check(view(req)).then((decision) => {
      res.set(decision.headers);
      if (decision.ok) {
        req.tessera = decision.identity;
        return next();
      }
      res.status(decision.status).send(JSON.stringify(decision.body));
    }, next);
  });
}

function view(req: Request): RequestView {
  return { header: (name) => req.headers[name], method: req.method, url: req.originalUrl, ip: req.ip, protocol: req.protocol };
}
