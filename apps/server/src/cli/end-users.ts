import { readFileSync } from 'node:fs';
import { intFlag, listed, need, table, UsageError, type CommandContext } from './context.js';

const USAGE =
  'usage: tessera end-users create --email E [--name N] [--email-verified] [--password-file FILE] | list | get|disable|enable|rm|grants|end-sessions|reset-second-factor USER_ID | revoke-grant USER_ID CLIENT_ID';

/**
 * `tessera end-users …`, over the API: the people who sign in to the workspace's apps through the
 * authorization endpoint (not the console's users: that is `tessera users`). Passwords come from a
 * file or stdin, never from the command line.
 */
export async function endUsersCommand(sub: string | undefined, k: CommandContext): Promise<number> {
  const { flags } = k;
  const id = () => encodeURIComponent(need(k.rest[0], 'USER_ID'));
  switch (sub) {
    case 'create': {
      const file = flags['password-file'];
      const password = (typeof file === 'string' ? readFileSync(file, 'utf8') : readFileSync(0, 'utf8')).replace(/\r?\n$/, '');
      if (password === '') throw new UsageError('give the password in --password-file FILE or on stdin');
      const body: Record<string, unknown> = { email: need(flags.email, '--email'), password };
      if (typeof flags.name === 'string') body.name = flags.name;
      if (flags['email-verified'] === true) body.emailVerified = true;
      const u = await k.api('POST', '/v1/users', body);
      k.out(`Created end user ${u.userId} (${u.email}).`, u);
      return 0;
    }
    case 'list': {
      const r = await listed(k, `/v1/users${flags.limit ? `?limit=${intFlag('limit', flags.limit)}` : ''}`);
      k.out(table(r.items, ['userId', 'email', 'name', 'emailVerified', 'disabled', 'secondFactor', 'lastSignInAt']), r);
      return 0;
    }
    case 'get': {
      const u = await k.api('GET', `/v1/users/${id()}`);
      k.out(table([u], ['userId', 'email', 'name', 'emailVerified', 'disabled', 'secondFactor', 'lastSignInAt']), u);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const u = await k.api('POST', `/v1/users/${id()}/${sub}`);
      k.out(`${u.email} is ${u.disabled ? 'disabled: no sign-in, and their refresh tokens stop working' : 'enabled'}.`, u);
      return 0;
    }
    case 'rm': {
      const userId = id();
      await k.api('DELETE', `/v1/users/${userId}`);
      k.out(`Deleted end user ${decodeURIComponent(userId)}.`, { userId: decodeURIComponent(userId), deleted: true });
      return 0;
    }
    case 'grants': {
      const r = await k.api('GET', `/v1/users/${id()}/grants`);
      const rows = r.items.map((g: Record<string, unknown>) => ({ ...g, scopes: (g.scopes as string[]).join(' ') }));
      k.out(table(rows, ['clientId', 'clientName', 'scopes', 'grantedAt', 'activeGrants']), r);
      return 0;
    }
    case 'revoke-grant': {
      const userId = id();
      const clientId = encodeURIComponent(need(k.rest[1], 'CLIENT_ID'));
      await k.api('DELETE', `/v1/users/${userId}/grants/${clientId}`);
      k.out(`Revoked ${decodeURIComponent(clientId)}'s access for ${decodeURIComponent(userId)}.`, {
        userId: decodeURIComponent(userId),
        clientId: decodeURIComponent(clientId),
        revoked: true,
      });
      return 0;
    }
    case 'end-sessions': {
      const r = await k.api('POST', `/v1/users/${id()}/sessions/end`);
      k.out(`Ended every sign-in; revoked ${r.familiesRevoked} grant(s); forgot ${r.consentsForgotten} consent(s).`, r);
      return 0;
    }
    case 'reset-second-factor': {
      const u = await k.api('DELETE', `/v1/users/${id()}/second-factor`);
      k.out(`Reset ${u.email}'s second factor: they sign in with their password until they enrol again.`, u);
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}
