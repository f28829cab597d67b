import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** docs/gateways.md shows the configurations the gateway suite runs, as they are in examples/gateways/. */
describe('docs/gateways.md', () => {
  it.each(['nginx.conf.template', 'Caddyfile', 'traefik.yml', 'envoy.yaml'])('holds examples/gateways/%s verbatim', (file) => {
    const doc = read('docs/gateways.md');
    expect(doc).toContain(`\n${read(`examples/gateways/${file}`)}\`\`\`\n`);
    expect(doc).toContain(`(../examples/gateways/${file})`);
  });
});
