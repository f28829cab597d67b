/**
 * The button in a table row that opens and closes the row of details below it (`controls` is that
 * row's id); screen readers hear what it is about, as in "More about entry 12".
 */
export function MoreButton({
  expanded,
  controls,
  about,
  onToggle,
}: {
  expanded: boolean;
  controls: string;
  about: string;
  onToggle(): void;
}) {
  return (
    <button type="button" className="link" aria-expanded={expanded} aria-controls={controls} onClick={onToggle}>
      {expanded ? 'Less' : 'More'}
      <span className="sr-only">{` about ${about}`}</span>
    </button>
  );
}
