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
