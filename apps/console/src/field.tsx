import { cloneElement, useId, type InputHTMLAttributes, type ReactElement } from 'react';

interface Control {
  id?: string;
  'aria-describedby'?: string;
}

/** A labelled form field: the label is tied to the control, and the hint is read with it. */
export function Field({ label, hint, children }: { label: string; hint?: string; children: ReactElement<Control> }) {
  const generated = useId();
  const id = children.props.id ?? `f${generated}`;
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, ...(hint !== undefined && { 'aria-describedby': hintId }) })}
      {hint !== undefined && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** What a `NumberField` is given: `label` and `hint` as in `Field`, the rest for the input. */
export type NumberFieldProps = { label: string; hint?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>;

/** A labelled number field. */
export function NumberField({ label, hint, ...input }: NumberFieldProps) {
  return (
    <Field label={label} hint={hint}>
      <input type="number" {...input} />
    </Field>
  );
}
