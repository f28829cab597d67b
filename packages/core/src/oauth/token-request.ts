/** What an OAuth endpoint receives, without HTTP framework types. */
export interface TokenRequest {
  /** Form parameters; a name may repeat only where the RFCs allow it (`audience`, `resource`). */
  params: Map<string, string[]>;
  authorization: string | undefined;
  /** Every `DPoP` header value sent (RFC 9449 allows exactly one). */
  dpop: string[];
  method: string;
  /** The address of the caller. */
  ip: string;
}

/** The one value of a parameter; undefined when absent. */
export function param(req: TokenRequest, name: string): string | undefined {
  return req.params.get(name)?.[0];
}
