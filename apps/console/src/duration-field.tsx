import { useId } from 'react';
import { Options } from './options.js';

/** The units a length of time is typed in, largest last. */
const UNITS = { minutes: 60, hours: 3600, days: 86_400 } as const;
export type DurationUnit = keyof typeof UNITS;

/** The largest of `units` that `seconds` is a whole number of: 7200 → hours. */
function unitFor(seconds: number, units: readonly DurationUnit[]): DurationUnit {
  for (const u of [...units].reverse()) if (seconds % UNITS[u] === 0) return u;
  return units[0]!;
}

/**
 * A length of time typed as a number and a unit (minutes, hours, days), read back in seconds by
 * `secondsOf`. Empty is allowed unless `required`: it reads as null (none).
 */
export function DurationField({
  label,
  name,
  hint,
  seconds,
  units = ['minutes', 'hours', 'days'],
  required = false,
}: {
  label: string;
  name: string;
  hint?: string;
  /** The value shown at first; null or undefined leaves the field empty. */
  seconds?: number | null | undefined;
  units?: readonly DurationUnit[];
  required?: boolean;
}) {
  const id = `d${useId()}`;
  const unit = seconds == null ? units[0]! : unitFor(seconds, units);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="duration">
        <input
          id={id}
          name={name}
          type="number"
          min={0}
          step="any"
          required={required}
          defaultValue={seconds == null ? '' : seconds / UNITS[unit]}
          {...(hint !== undefined && { 'aria-describedby': `${id}-hint` })}
        />
        <select name={`${name}_unit`} aria-label={`${label}: unit`} defaultValue={unit}>
          <Options values={units} />
        </select>
      </div>
      {hint !== undefined && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** A DurationField's value in whole seconds, or null when it was left empty. */
export function secondsOf(form: HTMLFormElement, name: string): number | null {
  const data = new FormData(form);
  const value = String(data.get(name) ?? '').trim();
  if (value === '') return null;
  return Math.round(Number(value) * UNITS[String(data.get(`${name}_unit`)) as DurationUnit]);
}
