import type { ErrorCode } from '@tessera/api';
import { TesseraError } from '@tessera/core';
import { isStoreUnavailable } from '@tessera/store';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.js';
import { validationDetail } from './validation-detail.js';

/**
 * Every error a route or hook throws, and every unknown path, answered as problem+json: a
 * TesseraError by its code, validation and parsing failures as 4xx, an unavailable store as 503,
 * and anything else as a 500 whose details go to the log only.
 */
export function answerErrors(app: FastifyInstance, logUnrouted: (request: FastifyRequest, reply: FastifyReply) => void): void {
  app.setErrorHandler((error: FastifyError | TesseraError, request, reply) => {
    if (error instanceof TesseraError) return sendProblem(reply, problem(error.code, error.detail));
    if (isStoreUnavailable(error)) return sendProblem(reply, problem('STORE_UNAVAILABLE', 'The store is unavailable; try again shortly.'));
    if (error.validation !== undefined) {
      // A sentence about the field, which the console shows as it is: not the validator's own text.
      const first = error.validation[0];
      const where = error.validationContext ?? 'body';
      return sendProblem(
        reply,
        problem('VALIDATION_FAILED', (first === undefined ? `The ${where} is not valid.` : validationDetail(where, first)).slice(0, 300)),
      );
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code: ErrorCode =
        status === 413
          ? 'BODY_TOO_LARGE'
          : status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : status === 405
              ? 'METHOD_NOT_ALLOWED'
              : 'VALIDATION_FAILED';
      return sendProblem(reply, problem(code, status === 400 ? 'The request body is not valid JSON.' : undefined));
    }
    // The verify path logs through the root logger (no child per request), so its line names the id itself.
    const log = request.log === app.log ? app.log.child({ reqId: request.id }) : request.log;
    log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error');
    return sendProblem(reply, problem('INTERNAL', 'Something went wrong on our side; the error is logged with this request id.'));
  });
  app.setNotFoundHandler((request, reply) => {
    logUnrouted(request, reply);
    return sendProblem(reply, problem('NOT_FOUND', 'No such route.'));
  });
}
