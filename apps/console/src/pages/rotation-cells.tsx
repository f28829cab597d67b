import { when } from '../format.js';

/** A secret's last two cells in a list of secrets due: how its rotation stands, and the date it is due by. */
export function RotationCells({ secret: s }: { secret: { rotation: string; rotateBy: string | null } }) {
  return (
    <>
      <td>
        <span className={`badge ${s.rotation}`}>{s.rotation}</span>
      </td>
      <td>{when(s.rotateBy)}</td>
    </>
  );
}
