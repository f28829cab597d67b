import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { problem } from './problem.js';
import { freshRequestId } from './request-id.js';

/**
 * A request Node's HTTP parser refused (headers or URL over its limit, a timeout, a malformed
 * request): one problem+json answer on the raw socket, then the connection is closed.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const p =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? problem('HEADERS_TOO_LARGE', 'The request line and headers are larger than this server accepts.')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('REQUEST_TIMEOUT')
        : problem('VALIDATION_FAILED', 'The HTTP request is malformed.');
  // No request was parsed, so no id came with it: this answer has a fresh one.
  const requestId = freshRequestId();
  const body = JSON.stringify({ ...p, requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status]}\r\nContent-Type: application/problem+json\r\nX-Request-Id: ${requestId}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
