import type { ReactNode } from 'react';

/** A select's options, one for each of `values`, showing `label` of it (the value itself by default). */
export function Options<T extends string>({ values, label = (v) => v }: { values: readonly T[]; label?: (value: T) => ReactNode }) {
  return values.map((v) => (
    <option key={v} value={v}>
      {label(v)}
    </option>
  ));
}
