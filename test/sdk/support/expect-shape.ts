import { expect } from 'vitest';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is what an all-optional Pick extends
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;

/**
 * Checks a real answer against its type (generated from the OpenAPI document), field by field: every field
 * the type requires is there, and nothing is there that the type does not name. The field lists
 * are typed as records over the type's keys, so they cannot leave a field of the type out.
 */
export function expectShape<T>(value: T, required: Record<RequiredKeys<T>, true>, optional = {} as Record<OptionalKeys<T>, true>): void {
  const present = Object.keys(value as object);
  expect(
    present.filter((k) => !(k in required) && !(k in optional)),
    'fields the SDK type does not name',
  ).toEqual([]);
  expect(
    Object.keys(required).filter((k) => !present.includes(k)),
    'fields the SDK type requires',
  ).toEqual([]);
}
