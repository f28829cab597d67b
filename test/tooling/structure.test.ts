import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The shape of the source tree, kept by tests: no import cycle, files of one idea (no source file
// over 300 lines unless it is generated), and a core that exports only what is used outside it.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_ROOTS = [
  'packages/api/src',
  'packages/core/src',
  'packages/store/src',
  'packages/sdk/src',
  'apps/server/src',
  'apps/console/src',
];
const MAX_LINES = 300;

/** Files still over the limit while the tree is split up; the list only shrinks. */
const PENDING_LONG = new Set<string>([]);
/** Import cycles still to break, each named by its files in order; the list only shrinks. */
const PENDING_CYCLES = new Set<string>([]);
/** How many of core's exports no file outside core uses yet; only goes down, to 0. */
const MAX_UNUSED_CORE_EXPORTS = 0;

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !/\.(test|d)\.tsx?$/.test(name)) out.push(path);
    }
  };
  for (const root of SOURCE_ROOTS) walk(root);
  return out.sort();
}

const isGenerated = (text: string) => /^\/\/ Generated .*do not edit/i.test(text);

/** The files a source file imports (relative, or another workspace package's entry point). */
function importsOf(file: string, files: Set<string>): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    let target: string | undefined;
    const pkg = /^@tessera\/(api|core|store|sdk)$/.exec(spec);
    if (pkg !== null) target = `packages/${pkg[1]}/src/index.ts`;
    else if (spec.startsWith('.')) {
      const base = join(dirname(file), spec).replace(/\.js$/, '');
      target = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => files.has(c));
    }
    if (target !== undefined && files.has(target)) out.push(target);
  }
  return out;
}

/** Strongly connected components of more than one file (Tarjan), each in a stable order. */
function cyclesOf(edges: Map<string, string[]>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort().join(' ↔ '));
    }
  };
  for (const f of edges.keys()) if (!index.has(f)) visit(f);
  return cycles.sort();
}

function importCycles(files: string[]): string[] {
  const set = new Set(files);
  return cyclesOf(new Map(files.map((f) => [f, importsOf(f, set)])));
}

/** Names exported by core's entry point that no file outside packages/core mentions. */
function unusedCoreExports(): string[] {
  const entry = join(ROOT, 'packages/core/src/index.ts');
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const names = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!).map((s) => s.name);
  const outside: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) {
        if (path !== 'packages/core') walk(path);
      } else if (/\.(tsx?|js)$/.test(name)) outside.push(readFileSync(join(ROOT, path), 'utf8'));
    }
  };
  for (const dir of ['packages', 'apps', 'test', 'bench', 'scripts', 'examples']) walk(dir);
  const text = outside.join('\n');
  return names.filter((n) => !new RegExp(`\\b${n}\\b`).test(text));
}

describe('the source tree', () => {
  const files = sourceFiles();

  it('keeps every source file under 300 lines, generated ones aside', () => {
    const long = files
      .map((f) => ({ f, text: readFileSync(join(ROOT, f), 'utf8') }))
      .filter(({ text }) => !isGenerated(text) && text.split('\n').length - 1 > MAX_LINES)
      .map(({ f }) => f);
    expect(long.filter((f) => !PENDING_LONG.has(f))).toEqual([]);
    expect([...PENDING_LONG].filter((f) => !long.includes(f))).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles = importCycles(files);
    expect(cycles.filter((c) => !PENDING_CYCLES.has(c))).toEqual([]);
    expect([...PENDING_CYCLES].filter((c) => !cycles.includes(c))).toEqual([]);
  });

  it('finds the cycles of an import graph, and reads the imports of the tree', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['d']],
    ]);
    expect(cyclesOf(graph)).toEqual(['a ↔ b ↔ c']);
    expect(importsOf('apps/server/src/wiring/services.ts', new Set(files))).toContain('packages/core/src/index.ts');
  });

  it('exports from core only what is used outside it', () => {
    const unused = unusedCoreExports();
    expect(unused.length, `unused: ${unused.join(', ')}`).toBeLessThanOrEqual(MAX_UNUSED_CORE_EXPORTS);
  }, 60_000);
});
