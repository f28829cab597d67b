import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

describe('@tessera/api', () => {
  it('exports every type generated from the OpenAPI document by name', () => {
    const generated = [...read('./api-types.ts').matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]!);
    const index = read('./index.ts');
    const block = /export type \{([^}]*)\} from '\.\/api-types\.js';/.exec(index)?.[1] ?? '';
    const exported = block
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    expect(exported.sort()).toEqual(generated.sort());
  });

  it('imports nothing from Node, so the console can bundle it for the browser', () => {
    const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files).toContain('key-format.ts');
    for (const file of files) expect(read(`./${file}`), file).not.toMatch(/from '(node:|[a-z@])/);
  });
});
