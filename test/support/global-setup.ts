import { TEST_DATABASE_URL } from './databases.js';
import { createTemplate, dropTemplate, TEMPLATE_ENV } from './pg-template.js';

/** Once per run, before any test file: the migrated PostgreSQL template the files copy (support/pg-template.ts). */
export default async function setup(): Promise<() => Promise<void>> {
  const template = process.env[TEMPLATE_ENV] === undefined ? await createTemplate(TEST_DATABASE_URL) : undefined;
  if (template !== undefined) process.env[TEMPLATE_ENV] = template;
  return async () => {
    if (template !== undefined) await dropTemplate(TEST_DATABASE_URL, template);
  };
}
