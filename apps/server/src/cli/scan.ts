import { resolve } from 'node:path';
import { isGitRepository, scanGitHistory, scanPaths, type Finding } from '../scan/scan-files.js';
import type { CommandContext } from './context.js';
import { progressOn } from './progress.js';

/** A leaked key as the server answers a report of it. */
interface Revoked {
  start: string;
  status: string;
  keyId?: string;
}

/**
 * `tessera scan [paths…] [--files-only] [--revoke]`: Tessera keys in files and in the git history
 * of the repositories given, printed as `file:line:column` with the key masked. Exit code 1 when
 * anything was found (so a pre-commit hook stops the commit), 0 when nothing was.
 */
export async function scanCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const given = [sub, ...ctx.rest].filter((p): p is string => p !== undefined);
  const paths = given.length > 0 ? given : ['.'];
  const write = (line: string) => process.stdout.write(line + '\n');
  // Progress goes to stderr (a bar on a terminal), so the findings on stdout stay clean to pipe.
  const quiet = ctx.flags.json === true;
  const findings: Finding[] = scanPaths(
    paths,
    process.cwd(),
    quiet ? undefined : progressOn('scanning files', { show: 'count', quietBelow: 2000 }),
  );
  if (ctx.flags['files-only'] !== true) {
    for (const p of paths) {
      if (!isGitRepository(p)) continue;
      const progress = quiet ? undefined : progressOn(`scanning the history of ${p}`, { show: 'count', quietBelow: 500 });
      findings.push(...(await scanGitHistory(resolve(p), progress)));
    }
  }
  const keys = [...new Set(findings.map((f) => f.key))];
  let revoked: Revoked[] | undefined;
  // Reported to the server, which revokes what it knows.
  if (ctx.flags.revoke === true && keys.length > 0) {
    revoked = [];
    for (let i = 0; i < keys.length; i += 100) {
      const report = { keys: keys.slice(i, i + 100), source: 'tessera scan', action: 'revoke' };
      revoked.push(...((await ctx.api('POST', '/v1/keys/leaked', report)).items as Revoked[]));
    }
  }
  if (ctx.flags.json === true) {
    write(JSON.stringify({ findings: findings.map(({ key: _key, ...f }) => f), distinctKeys: keys.length, ...(revoked && { revoked }) }));
  } else {
    for (const f of findings)
      write(`${f.commit !== undefined ? `${f.commit.slice(0, 12)} ` : ''}${f.file}:${f.line}:${f.column}  ${f.masked}`);
    write(
      findings.length === 0
        ? 'No Tessera keys found.'
        : `${findings.length} place${findings.length === 1 ? '' : 's'}, ${keys.length} distinct key${keys.length === 1 ? '' : 's'}.`,
    );
    for (const r of revoked ?? []) write(`  ${r.start}  ${r.status}${r.keyId ? ` (${r.keyId})` : ''}`);
  }
  return findings.length === 0 ? 0 : 1;
}
