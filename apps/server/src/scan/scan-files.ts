import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { KEY_SEARCH_PATTERN, maskKey, parseKey } from '@tessera/api';

/** A Tessera key found somewhere it should not be. `key` stays in memory: reports print `masked`. */
export interface Finding {
  file: string;
  line: number;
  column: number;
  /** Set for a find in git history: the commit that added the line. */
  commit?: string;
  masked: string;
  key: string;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Keys in a text: the prefix pattern finds candidates and the checksum confirms them, so a
 * look-alike (a random string of the right shape) is never reported.
 */
export function scanText(text: string, file: string, commit?: string, lineOffset = 0): Finding[] {
  const out: Finding[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length < 50) continue;
    for (const m of line.matchAll(KEY_SEARCH_PATTERN)) {
      if (parseKey(m[0]) === undefined) continue;
      out.push({
        file,
        line: lineOffset + i + 1,
        column: m.index + 1,
        ...(commit !== undefined && { commit }),
        masked: maskKey(m[0]),
        key: m[0],
      });
    }
  }
  return out;
}

/** Told how much of a scan is done, out of how much (files, or commits). */
export type ScanProgress = (done: number, total: number) => void;

/** Files under the given paths (directories are walked; .git and node_modules are skipped; binaries too). */
export function scanPaths(paths: readonly string[], base = process.cwd(), progress?: ScanProgress): Finding[] {
  const files: string[] = [];
  const visit = (path: string) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!SKIP_DIRS.has(name)) visit(join(path, name));
    } else if (st.isFile() && st.size <= MAX_FILE_BYTES) {
      files.push(path);
    }
  };
  for (const p of paths) visit(p);
  const out: Finding[] = [];
  for (let i = 0; i < files.length; i++) {
    const path = files[i]!;
    if (!isBinary(path)) out.push(...scanText(readFileSync(path, 'utf8'), relative(base, path) || path));
    progress?.(i + 1, files.length);
  }
  return out;
}

/** Whether a directory is the top of a git work tree. */
export function isGitRepository(dir: string): boolean {
  return existsSync(join(dir, '.git'));
}

const COMMIT_MARK = 'tessera-scan-commit ';

/**
 * Keys added by any commit on any ref: `git log --all -p` read hunk by hunk as git writes it, so
 * each find names the commit, the file and the line where the key was added (a key removed later
 * is still leaked), and progress counts commits against `git rev-list --all --count`.
 */
export async function scanGitHistory(repo: string, progress?: ScanProgress): Promise<Finding[]> {
  const total = progress === undefined ? 0 : await commitCount(repo);
  const git = spawn(
    'git',
    ['-C', repo, 'log', '--all', '-p', '-U0', '--no-color', '--no-ext-diff', '--no-renames', `--format=${COMMIT_MARK}%H`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  git.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 300) stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    git.once('error', reject);
    git.once('close', resolve);
  });
  const out: Finding[] = [];
  let commits = 0;
  let commit = '';
  let file = '';
  let line = 0;
  for await (const text of createInterface({ input: git.stdout, crlfDelay: Infinity })) {
    if (text.startsWith(COMMIT_MARK)) {
      commit = text.slice(COMMIT_MARK.length);
      if (commits > 0) progress?.(commits, Math.max(total, commits));
      commits++;
    } else if (text.startsWith('+++ ')) file = text === '+++ /dev/null' ? '' : text.slice(6);
    else if (text.startsWith('@@ ')) line = Number(/\+(\d+)/.exec(text)?.[1] ?? 0);
    else if (text.startsWith('+') && file !== '') {
      out.push(...scanText(text.slice(1), file, commit, line - 1));
      line++;
    }
  }
  const status = await exited.catch((err: Error) => {
    stderr ||= err.message;
    return -1;
  });
  if (status !== 0) throw new Error(`git log failed in ${repo}: ${stderr.trim().slice(0, 300)}`);
  if (commits > 0) progress?.(commits, Math.max(total, commits));
  return out;
}

/** Commits on every ref, for the progress total (0 when git cannot say). */
function commitCount(repo: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('git', ['-C', repo, 'rev-list', '--all', '--count'], (err, stdout) => resolve(err ? 0 : Number(stdout.trim()) || 0));
  });
}

function isBinary(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8000);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).includes(0);
  } finally {
    closeSync(fd);
  }
}
