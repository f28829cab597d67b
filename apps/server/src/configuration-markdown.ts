import { CONFIG_SCHEMA, type Entry } from './config-schema.js';

/** Markdown reference of every setting, for docs/configuration.md. */
export function configurationMarkdown(): string {
  const rows = Object.entries(CONFIG_SCHEMA as Record<string, Entry<unknown>>).map(
    ([name, e]) =>
      `| \`${e.env}\`${e.secret ? `<br>\`${e.env}_FILE\`` : ''} | \`${name}\` | ${e.default === undefined ? '—' : `\`${String(e.default)}\``} | ${e.secret ? '**secret** — ' : ''}${e.doc} |`,
  );
  return [
    '# Configuration',
    '',
    'Generated from `apps/server/src/config.ts` by `npm run docs:config`; do not edit by hand.',
    'Every setting is an environment variable; `tessera serve` flags (`--port`, `--host`, `--data-dir`, `--insecure-http`) override them.',
    'Unknown `TESSERA_*` variables are refused at start-up, so a typo never passes silently.',
    '',
    'A secret setting (marked **secret** below) can also be read from a file, the way container platforms deliver',
    'secrets (Docker and Kubernetes secrets, systemd credentials): set `<VARIABLE>_FILE` to its path, e.g.',
    '`TESSERA_DATABASE_URL_FILE=/run/secrets/db-url`. One trailing newline is removed. Setting both the variable and',
    'its `_FILE` is refused, and so is a file that cannot be read or is empty; the error names the setting and the',
    'file, never what it holds. The TLS key is a file already (`TESSERA_TLS_KEY` names it). The CLI reads a root key',
    'from `TESSERA_ROOT_KEY_FILE` the same way.',
    '',
    '| variable | name | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
