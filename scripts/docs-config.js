// Writes docs/configuration.md from the configuration schema (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { configurationMarkdown } from '@tessera/server';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), configurationMarkdown());
console.log('docs/configuration.md written');
