import type { VerifyInput, VerifyResult } from './verify-result.js';

/** Where the verifier reports each answer; called on the hot path, so it must not wait for anything. */
export interface VerificationSink {
  record(input: VerifyInput, result: VerifyResult): void;
}
