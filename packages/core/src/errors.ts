import { ERROR_STATUS, ERROR_TITLES, type ErrorCode } from '@tessera/api';

/** An expected failure with a stable code; the HTTP layer maps it to problem+json. */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;

  constructor(code: ErrorCode, detail?: string) {
    super(detail ?? ERROR_TITLES[code]);
    this.name = 'TesseraError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.detail = detail ?? ERROR_TITLES[code];
  }
}
