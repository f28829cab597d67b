/**
 * A command's flags as node:util's parser takes them: those given a value (`--name N`), then the
 * switches (`--json`). Like the help files that call it, read without loading any command.
 */
export function flags<const V extends string, const S extends string = never>(
  values: readonly V[],
  switches: readonly S[] = [],
): { [K in V]: { type: 'string' } } & { [K in S]: { type: 'boolean' } } {
  const entries = [...values.map((name) => [name, { type: 'string' }]), ...switches.map((name) => [name, { type: 'boolean' }])];
  return Object.fromEntries(entries) as { [K in V]: { type: 'string' } } & { [K in S]: { type: 'boolean' } };
}
