import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** A client's DPoP key, and the proofs it signs (RFC 9449 §4.2): for a token request, or with `ath` for a resource. */
export async function dpopKey(): Promise<(htm: string, htu: string, accessToken?: string) => Promise<string>> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return (htm, htu, accessToken) =>
    new SignJWT({
      htm,
      htu,
      jti: randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      ...(accessToken !== undefined && { ath: createHash('sha256').update(accessToken).digest('base64url') }),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .sign(privateKey);
}

/** An access token from Tessera's token endpoint (client credentials), bound to `proof`'s key when given. */
export async function issueToken(
  tesseraUrl: string,
  client: { clientId: string; clientSecret: string },
  proof?: (htm: string, htu: string) => Promise<string>,
): Promise<string> {
  const r = await fetch(`${tesseraUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64'),
      ...(proof !== undefined && { dpop: await proof('POST', `${tesseraUrl}/oauth/token`) }),
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await r.json()) as { access_token?: string };
  if (body.access_token === undefined) throw new Error(`no token: ${r.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
