import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The CLI's shape: a dispatcher that loads each command when it runs, and commands that are
// clients of the server, never parts of its HTTP layer.

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../apps/server/src');
const CLI = join(SRC, 'cli');

/** The server's own modules a file imports: static ones (values, not `import type`), and dynamic ones. */
function importsOf(file: string): { static: string[]; dynamic: string[] } {
  const text = readFileSync(file, 'utf8');
  const resolveSpec = (spec: string) => {
    const path = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    return existsSync(path) ? path : undefined;
  };
  const local = (specs: string[]) => specs.filter((s) => s.startsWith('.')).flatMap((s) => resolveSpec(s) ?? []);
  const statics = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
  const dynamics = [...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  return { static: local(statics), dynamic: local(dynamics) };
}

/** Every module reachable from `start` (static imports only, or dynamic ones too), not going into `skip`. */
function reach(start: string, withDynamic: boolean, skip?: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || file === skip) return;
    seen.add(file);
    const i = importsOf(file);
    for (const next of withDynamic ? [...i.static, ...i.dynamic] : i.static) visit(next);
  };
  visit(start);
  return seen;
}

const name = (file: string) => relative(SRC, file);

describe('the CLI modules', () => {
  it('load no command before it runs: the dispatcher reaches no instance, store or server statically', () => {
    const loaded = [...reach(join(CLI, 'main.ts'), false)].map(name);
    const heavy = loaded.filter((f) => /^app\.ts$|^(adapters|backup|http|routes|wiring)\//.test(f));
    expect(heavy).toEqual([]);
    const commands = readdirSync(CLI).filter((f) => !f.endsWith('-help.ts') && !['main.ts', 'context.ts'].includes(f));
    expect(loaded.filter((f) => commands.includes(f.replace(/^cli\//, '')))).toEqual([]);
  });

  it('import no route module, directly or through another module', () => {
    // `serve` starts the server, which registers the routes: it is the one command that may.
    const serve = join(CLI, 'serve.ts');
    for (const file of readdirSync(CLI).filter((f) => f !== 'serve.ts')) {
      const routes = [...reach(join(CLI, file), true, serve)].map(name).filter((f) => f.startsWith('routes/'));
      expect(routes, file).toEqual([]);
    }
  });
});
