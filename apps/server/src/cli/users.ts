import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CONSOLE_ROLES, ConsoleAccounts, DEFAULT_WORKSPACE_ID, systemClock, type ConsoleRole } from '@tessera/core';
import { list, UsageError, type CommandContext } from './context.js';
import { openInstance } from '../wiring/instance.js';
import { userView } from '../http/console-views.js';

/** Console users, made on the instance directly: the first owner exists before anyone can sign in. */
export async function usersCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  if (sub !== 'create' && sub !== 'list' && sub !== 'unlock' && sub !== 'workspaces')
    throw new UsageError(
      'usage: tessera users create --email E [--role R] [--name N] | users list | users unlock EMAIL | users workspaces EMAIL --other-workspaces ID,ID',
    );
  if (sub === 'unlock' && (ctx.rest[0] === undefined || ctx.rest[0] === '')) throw new UsageError('usage: tessera users unlock EMAIL');
  const others = list(ctx.flags['other-workspaces'] as string | undefined);
  if (sub === 'workspaces' && (ctx.rest[0] === undefined || ctx.rest[0] === '' || others === undefined))
    throw new UsageError("usage: tessera users workspaces EMAIL --other-workspaces ID,ID ('' for none)");
  let password: string | undefined;
  let made = false;
  if (sub === 'create') {
    if (typeof ctx.flags.email !== 'string' || ctx.flags.email === '') throw new UsageError('--email is required');
    const role = (ctx.flags.role ?? 'owner') as ConsoleRole;
    if (!CONSOLE_ROLES.includes(role)) throw new UsageError(`--role must be one of ${CONSOLE_ROLES.join(', ')}`);
    if (process.stdin.isTTY) {
      password = randomBytes(18).toString('base64url');
      made = true;
    } else {
      password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    }
  }
  const { store, keyring } = await openInstance(ctx.config());
  try {
    const { users: accounts } = new ConsoleAccounts({ store, keyring, clock: systemClock });
    if (sub === 'list') {
      const users = (await accounts.list(DEFAULT_WORKSPACE_ID)).map(userView);
      ctx.out(
        users.length === 0
          ? '(none)'
          : users
              .map(
                (u) =>
                  `${u.id}  ${u.email}  ${u.role}${u.otherWorkspaceIds.length > 0 ? `  also ${u.otherWorkspaceIds.join(',')}` : ''}${u.totpEnrolled ? '' : '  (second factor not enrolled yet)'}${u.disabled ? '  DISABLED' : ''}`,
              )
              .join('\n'),
        users,
      );
      return 0;
    }
    const actor = { id: 'system', workspaceId: DEFAULT_WORKSPACE_ID, ip: null };
    if (sub === 'unlock') {
      const unlocked = await accounts.unlock(actor, ctx.rest[0]!);
      if (unlocked === undefined) throw new Error(`no console user has the email ${ctx.rest[0]}`);
      ctx.out(`Unlocked ${unlocked.email}: it may sign in again.`, userView(unlocked));
      return 0;
    }
    if (sub === 'workspaces') {
      const found = await accounts.findByEmail(ctx.rest[0]!, DEFAULT_WORKSPACE_ID);
      if (found === undefined) throw new Error(`no console user has the email ${ctx.rest[0]}`);
      // The operator may give any workspace there is (each one is checked to exist).
      const changed = await accounts.update(actor, found.id, { otherWorkspaceIds: others }, 'any');
      ctx.out(
        `${changed.email} reaches ${changed.otherWorkspaceIds.length === 0 ? 'its home workspace only' : `also ${changed.otherWorkspaceIds.join(', ')}`}.`,
        userView(changed),
      );
      return 0;
    }
    const user = await accounts.create(actor, {
      email: ctx.flags.email as string,
      password: password!,
      role: (ctx.flags.role ?? 'owner') as ConsoleRole,
      name: typeof ctx.flags.name === 'string' ? ctx.flags.name : null,
    });
    ctx.out(
      `Created console user ${user.email} (${user.role}).${made ? `\nPassword, shown once:\n\n  ${password}\n` : ''}\nSign in at /console; a second factor (TOTP) is set up at the first sign-in.`,
      { ...userView(user), ...(made && { password }) },
    );
    return 0;
  } finally {
    await store.close();
    await keyring.close();
  }
}
