import { readFileSync } from 'node:fs';
import { AUDIT_ACTIONS, ERROR_STATUS } from '@tessera/api';
import { configurationMarkdown } from '@tessera/server';
import { describe, expect, it } from 'vitest';

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

/** The public docs list exactly what the code has: a new code or action must be documented. */
describe('docs stay in step with the code', () => {
  it('docs/errors.md lists every error code with its status', () => {
    const rows = [...doc('errors.md').matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS);
  });

  it('docs/audit-events.md lists every audit action', () => {
    const listed = [...doc('audit-events.md').matchAll(/^\| `([a-z_]+\.[a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('docs/configuration.md is generated from the configuration schema', () => {
    expect(doc('configuration.md')).toBe(configurationMarkdown());
  });
});
