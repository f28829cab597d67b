/** Outcome colours: distinguishable, and each with a legend entry (colour is never the only cue). */
export const OUTCOME_COLOURS: Record<string, string> = {
  VALID: '#1a7f37',
  RATE_LIMITED: '#b35900',
  USAGE_EXCEEDED: '#8250df',
  INSUFFICIENT_SCOPE: '#0969da',
  IP_NOT_ALLOWED: '#6639ba',
  EXPIRED: '#6e7781',
  REVOKED: '#cf222e',
  DISABLED: '#57606a',
  NOT_FOUND: '#a40e26',
  MALFORMED: '#953800',
};
