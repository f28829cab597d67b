import { TesseraError } from '@tessera/core';
import { problems } from '../../http/contract.js';
import { Type } from '../../http/schemas.js';
import { halfSession, signedIn, type ConsoleApp, type ConsoleContext } from './console-context.js';
import { EnrolledAnswer, TotpCode } from './console-schemas.js';

/**
 * Enrolling the TOTP second factor, at the first sign-in after the password. A decoy (a password
 * step that cannot succeed) is answered as an account that has enrolled already.
 */
export function enrolmentRoutes(app: ConsoleApp, ctx: ConsoleContext): void {
  app.post(
    '/console/api/enrolment',
    {
      config: { consoleSession: 'half' },
      schema: {
        operationId: 'startTotpEnrolment',
        summary: 'Enrol TOTP, step one: a new secret',
        description:
          'The secret as base32 text and as an `otpauth://` URI (the console draws its QR code itself: the secret goes nowhere else). 409 when a second factor is enrolled already.',
        response: {
          200: Type.Object(
            {
              secret: Type.String({ description: 'The TOTP secret, base32, for typing into an authenticator app.' }),
              uri: Type.String({ description: 'The `otpauth://totp/…` URI authenticator apps read from a QR code.' }),
            },
            {
              examples: [
                {
                  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
                  uri: 'otpauth://totp/Tessera:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tessera&algorithm=SHA1&digits=6&period=30',
                },
              ],
            },
          ),
          ...problems('CONFLICT'),
        },
      },
    },
    async (request) => {
      const { half } = halfSession(request);
      if (half === 'decoy') throw new TesseraError('CONFLICT', 'A second factor is enrolled already.');
      const { secret, uri } = await ctx.services.console.enrolment.begin(half);
      return { secret, uri };
    },
  );

  app.post(
    '/console/api/enrolment/confirm',
    {
      config: { consoleSession: 'half' },
      schema: {
        operationId: 'confirmTotpEnrolment',
        summary: 'Enrol TOTP, step two: a code proves the app holds the secret',
        description: 'Signs in (a full session under a new cookie) and hands out the recovery codes, this once.',
        body: Type.Object({ code: TotpCode }, { additionalProperties: false, examples: [{ code: '492039' }] }),
        response: { 200: EnrolledAnswer, ...problems('CONFLICT') },
      },
    },
    async (request, reply) => {
      const { half, token } = halfSession(request);
      if (half === 'decoy') throw new TesseraError('CONFLICT', 'Start the enrolment first.');
      const r = await ctx.services.console.enrolment.confirm(token, request.body.code, request.ip);
      if (r === undefined)
        throw new TesseraError('UNAUTHORIZED', 'That code is not right; check the time on your device and try the next one.');
      const answer = await signedIn(ctx, request, reply, r.token);
      return { ...answer, recoveryCodes: r.recoveryCodes };
    },
  );
}
