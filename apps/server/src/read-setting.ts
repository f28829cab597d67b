import { readFileSync } from 'node:fs';

/**
 * A secret setting's raw value: from `NAME`, or from the file `NAME_FILE` names (how container
 * platforms deliver secrets), with one trailing newline removed. Both set, an unreadable file or
 * an empty one is an error that names the setting and the file, never what the file holds.
 */
export function readSetting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return value;
  if (value !== undefined && value !== '') throw new Error(`${name} and ${name}_FILE are both set; set only one of them`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${name}_FILE: cannot read ${file}${code === undefined ? '' : ` (${code})`}`);
  }
  const trimmed = text.replace(/\r?\n$/, '');
  if (trimmed === '') throw new Error(`${name}_FILE: ${file} is empty`);
  return trimmed;
}
