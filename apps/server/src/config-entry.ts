/**
 * One setting of the configuration: its variable, default and meaning. `docs/configuration.md` is
 * generated from the table of them (config-schema.ts).
 */
export interface Entry<T> {
  env: string;
  doc: string;
  default: T;
  parse: (raw: string) => T;
  /** A secret: it may also be read from the file named by `<env>_FILE` (container secrets). */
  secret?: true;
}
