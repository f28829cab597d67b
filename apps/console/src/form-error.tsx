/**
 * Where a form says why it was refused. The live region is always there, so a screen reader
 * announces the message when it appears.
 */
export function FormError({ error }: { error: string | null }) {
  return (
    <div role="alert" className="form-error">
      {error !== null && <p className="error">{error}</p>}
    </div>
  );
}

/**
 * The end of a form: why it was refused, if it was, then its `submit` button (`danger` for one that
 * cannot be undone, `disabled` until the form may be sent); with `onCancel`, a Cancel button beside it.
 */
export function FormFooter({
  error,
  submit,
  danger = false,
  disabled,
  onCancel,
}: {
  error: string | null;
  submit: string;
  danger?: boolean;
  disabled?: boolean;
  onCancel?: () => void;
}) {
  const button = (
    <button type="submit" className={danger ? 'danger' : 'primary'} disabled={disabled}>
      {submit}
    </button>
  );
  return (
    <>
      <FormError error={error} />
      {onCancel === undefined ? (
        button
      ) : (
        <div className="row">
          {button}
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
    </>
  );
}
