import type { Workspace } from '../workspaces.js';

/** Checkboxes named `workspace`, one a workspace, in a fieldset its legend names. */
export function WorkspaceChoices({ legend, choices, checked }: { legend: string; choices: Workspace[]; checked: readonly string[] }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="choices">
        {choices.map((w) => (
          <label key={w.id} className="check">
            <input type="checkbox" name="workspace" value={w.id} defaultChecked={checked.includes(w.id)} /> {w.name}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
