/**
 * What a federated sign-in goes on with once the upstream sent the browser back: an authorization
 * request (its query), the device verification page for a user code, or the account page of a
 * workspace. Tessera chooses it from this closed set; the browser never names a URL to go to.
 *
 * Stored in the pending sign-in's `request` field: an authorization request as its query (as
 * before), the others tagged (`device:WDJB-MJHT`, `account:ws_…`). The tagged forms have no `=`,
 * which every authorization request has (`client_id=`), so no value reads as both.
 */
export type FederationResume =
  { kind: 'authorization'; query: string } | { kind: 'device'; userCode: string } | { kind: 'account'; workspace: string };

const DEVICE = /^device:([A-Za-z0-9-]{1,16})$/;
const ACCOUNT = /^account:(ws_[0-9A-Za-z_]{1,60})$/;

/** The `request` field a resume target is stored as; undefined for a target that is not well formed. */
export function encodeResume(resume: FederationResume): string | undefined {
  if (resume.kind === 'authorization') return resume.query.includes('=') ? resume.query : undefined;
  const encoded = resume.kind === 'device' ? `device:${resume.userCode}` : `account:${resume.workspace}`;
  return decodeResume(encoded).kind === resume.kind ? encoded : undefined;
}

/** The resume target a stored `request` field names. */
export function decodeResume(stored: string): FederationResume {
  const device = DEVICE.exec(stored);
  if (device) return { kind: 'device', userCode: device[1]! };
  const account = ACCOUNT.exec(stored);
  if (account) return { kind: 'account', workspace: account[1]! };
  return { kind: 'authorization', query: stored };
}
