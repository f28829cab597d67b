import type { FormEvent } from 'react';
import { api, type Answer } from '../api.js';
import { DataTable } from '../data-table.js';
import { Field } from '../field.js';
import { FormError, FormFooter } from '../form-error.js';
import { when } from '../format.js';
import { LoadStatus } from '../load-status.js';
import { Options } from '../options.js';
import type { PageProps } from '../page-props.js';
import { useFormSend } from '../use-form-send.js';
import { useLoad } from '../use-load.js';
import { loadWorkspaces, type Workspace } from '../workspaces.js';

/**
 * Workspaces (`workspaces:manage`: owners): the ones the user reaches, each one's keys, keyspaces,
 * root keys and audit log apart from the others'. Create one (the creator reaches it from then on,
 * and switches to it in the header) and rename one.
 */
export function WorkspacesPage({ session, notify, refreshSession }: PageProps) {
  const [result, reload] = useLoad(loadWorkspaces, []);
  if (result.state !== 'ready') return <LoadStatus title="Workspaces" result={result} />;
  const items = result.data;
  const changed = () => {
    reload();
    // The header's switcher lists the workspaces the session reaches, by name.
    void refreshSession();
  };
  return (
    <>
      <h1>Workspaces</h1>
      <p className="muted">
        Each workspace keeps its own keyspaces, keys, root keys, console users and audit log. Switch between the workspaces you reach with
        the list in the header; give a console user more of them in Settings.
      </p>
      <DataTable label="Workspaces" className="workspaces" columns={['Name', 'Id', 'Created', 'Here']}>
        {items.map((w) => (
          <tr key={w.id} data-workspace-id={w.id}>
            <td>{w.name}</td>
            <td className="mono nowrap">{w.id}</td>
            <td>{when(w.createdAt)}</td>
            <td>{w.id === session.workspaceId && <span className="badge active">current</span>}</td>
          </tr>
        ))}
      </DataTable>
      <RenameWorkspace
        items={items}
        current={session.workspaceId}
        onRenamed={(from, to) => {
          notify(`Renamed the workspace ${from} to ${to}.`);
          changed();
        }}
      />
      <CreateWorkspace
        onCreated={(name) => {
          notify(`Created the workspace ${name}. You reach it now: choose it in the header to work in it.`);
          changed();
        }}
      />
    </>
  );
}

function RenameWorkspace({
  items,
  current,
  onRenamed,
}: {
  items: Workspace[];
  current: string;
  onRenamed(from: string, to: string): void;
}) {
  const names = new Map(items.map((w) => [w.id, w.name]));
  const { error, setError, send } = useFormSend();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const ws = items.find((w) => w.id === data.get('workspace'));
    const name = String(data.get('name') ?? '').trim();
    if (ws === undefined) return;
    if (name === '') return setError('Give the workspace a name.');
    send(api<Answer<'PATCH /v1/workspaces/{id}'>>('PATCH', `/v1/workspaces/${ws.id}`, { name }), () => {
      form.reset();
      onRenamed(ws.name, name);
    });
  };
  return (
    <form className="inline-form" aria-labelledby="ws-rename" onSubmit={submit}>
      <h2 id="ws-rename">Rename a workspace</h2>
      <div className="row">
        <Field label="Workspace to rename">
          <select name="workspace" defaultValue={current}>
            <Options values={items.map((w) => w.id)} label={(id) => names.get(id)} />
          </select>
        </Field>
        <Field label="New name">
          <input name="name" required maxLength={200} autoComplete="off" />
        </Field>
      </div>
      <FormError error={error} />
      <button type="submit">Rename</button>
    </form>
  );
}

function CreateWorkspace({ onCreated }: { onCreated(name: string): void }) {
  const { error, setError, send } = useFormSend();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (name === '') return setError('Give the workspace a name.');
    send(api<Answer<'POST /v1/workspaces'>>('POST', '/v1/workspaces', { name }), () => {
      form.reset();
      onCreated(name);
    });
  };
  return (
    <form className="inline-form" aria-labelledby="ws-create" onSubmit={submit}>
      <h2 id="ws-create">Create a workspace</h2>
      <Field label="Name" hint="Such as a team, a product or an environment: “Payments”, “Staging”.">
        <input name="name" required maxLength={200} autoComplete="off" />
      </Field>
      <FormFooter error={error} submit="Create workspace" />
    </form>
  );
}
