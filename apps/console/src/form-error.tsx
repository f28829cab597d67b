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

/** The end of a form with one button: why it was refused, if it was, then the button, `submit`. */
export function FormFooter({ error, submit }: { error: string | null; submit: string }) {
  return (
    <>
      <FormError error={error} />
      <button type="submit" className="primary">
        {submit}
      </button>
    </>
  );
}
