import { resolve } from 'node:path';
import { isGitRepository, scanGitHistory, scanPaths, type Finding } from './scan-files.js';

export interface ScanOptions {
  paths: string[];
  /** Skip git history. */
  filesOnly: boolean;
  /** Report what was found to the server, which revokes it. */
  revoke: ((keys: string[]) => Promise<{ items: { start: string; status: string; keyId?: string }[] }>) | undefined;
  json: boolean;
  write: (line: string) => void;
}

/**
 * `tessera scan [paths…] [--files-only] [--revoke]`: Tessera keys in files and in the git history
 * of the repositories given, printed as `file:line:column` with the key masked. Exit code 1 when
 * anything was found (so a pre-commit hook stops the commit), 0 when nothing was.
 */
export async function scanCommand(o: ScanOptions): Promise<number> {
  const paths = o.paths.length > 0 ? o.paths : ['.'];
  const findings: Finding[] = scanPaths(paths);
  if (!o.filesOnly) for (const p of paths) if (isGitRepository(p)) findings.push(...scanGitHistory(resolve(p)));
  const keys = [...new Set(findings.map((f) => f.key))];
  let revoked: { start: string; status: string; keyId?: string }[] | undefined;
  if (o.revoke !== undefined && keys.length > 0) {
    revoked = [];
    for (let i = 0; i < keys.length; i += 100) revoked.push(...(await o.revoke(keys.slice(i, i + 100))).items);
  }
  if (o.json) {
    o.write(JSON.stringify({ findings: findings.map(({ key: _key, ...f }) => f), distinctKeys: keys.length, ...(revoked && { revoked }) }));
  } else {
    for (const f of findings)
      o.write(`${f.commit !== undefined ? `${f.commit.slice(0, 12)} ` : ''}${f.file}:${f.line}:${f.column}  ${f.masked}`);
    o.write(
      findings.length === 0
        ? 'No Tessera keys found.'
        : `${findings.length} place${findings.length === 1 ? '' : 's'}, ${keys.length} distinct key${keys.length === 1 ? '' : 's'}.`,
    );
    for (const r of revoked ?? []) o.write(`  ${r.start}  ${r.status}${r.keyId ? ` (${r.keyId})` : ''}`);
  }
  return findings.length === 0 ? 0 : 1;
}
