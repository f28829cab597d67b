import { api, ApiError, can } from '../api.js';
import { outcomeChart, type MinutePoint } from '../chart.js';
import { field, fill, formValues, h } from '../dom.js';
import { ago, keyState, when, type KeyState } from '../format.js';
import type { PageContext } from '../main.js';

interface Keyspace {
  id: string;
  name: string;
  prefix: string;
}

interface Key {
  keyId: string;
  keyspaceId: string;
  start: string;
  ownerId: string | null;
  name: string | null;
  scopes: string[];
  meta: Record<string, unknown> | null;
  environment: string | null;
  enabled: boolean;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  ipAllowlist: string[];
  ratelimits: { name: string; limit: number; windowMs: number }[];
  credits: { remaining: number; refill: { amount: number; intervalSeconds: number } | null } | null;
  lastUsedAt: string | null;
  usageCount: number;
  rolledToKeyId: string | null;
}

const list = (text: string | undefined) =>
  (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export async function keysPage(main: HTMLElement, ctx: PageContext): Promise<void> {
  const { items: keyspaces } = await api<{ items: Keyspace[] }>('GET', '/v1/keyspaces');
  const canCreate = can(ctx.session, 'keys:create');
  const reveal = h('div', { className: 'reveal-slot' });
  const body = h('div');
  const detail = h('div', { className: 'detail-slot' });
  fill(main, h('h1', {}, 'Keys'), reveal, body, detail);

  if (keyspaces.length === 0) {
    fill(
      body,
      h('p', { className: 'empty' }, 'There are no keyspaces yet. A keyspace groups keys under one prefix (such as sk_live).'),
      can(ctx.session, 'keyspaces:manage') ? keyspaceForm(ctx, () => void keysPage(main, ctx)) : null,
    );
    return;
  }

  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const ksSelect = h(
    'select',
    { name: 'keyspace' },
    keyspaces.map((ks) =>
      h('option', { value: ks.id, ...(params.get('keyspace') === ks.id && { selected: true }) }, `${ks.name} (${ks.prefix})`),
    ),
  );
  const owner = h('input', { name: 'owner', placeholder: 'any owner', spellcheck: 'false', value: params.get('owner') ?? '' });
  const state = h(
    'select',
    { name: 'state' },
    ['all', 'active', 'disabled', 'revoked', 'expired'].map((s) => h('option', { value: s }, s === 'all' ? 'any state' : s)),
  );
  const search = h('input', { name: 'q', type: 'search', placeholder: 'name, id or start of the key' });
  const filters = h(
    'form',
    { className: 'filters', role: 'search', 'aria-label': 'Filter keys' },
    field('Keyspace', ksSelect),
    field('Owner', owner),
    field('State', state),
    field('Search', search),
    h('button', { type: 'submit' }, 'Apply'),
  );
  const table = h('div', { 'aria-live': 'polite' });
  const createSlot = h('div');
  const newKey = canCreate
    ? h('button', { type: 'button', className: 'primary', 'aria-expanded': 'false', onclick: () => toggleCreate() }, 'Create a key')
    : null;
  fill(body, filters, h('div', { className: 'toolbar' }, newKey), createSlot, table);

  let keys: Key[] = [];
  let next: string | null = null;
  const load = async (more = false) => {
    const q = new URLSearchParams({ keyspaceId: ksSelect.value, limit: '100' });
    if (owner.value.trim()) q.set('ownerId', owner.value.trim());
    if (more && next) q.set('cursor', next);
    try {
      const page = await api<{ items: Key[]; nextCursor: string | null }>('GET', `/v1/keys?${q}`);
      keys = more ? keys.concat(page.items) : page.items;
      next = page.nextCursor;
      renderTable();
    } catch (err) {
      fill(table, h('p', { className: 'error', role: 'alert' }, (err as Error).message));
    }
  };

  const renderTable = () => {
    const s = state.value as KeyState | 'all';
    const term = search.value.trim().toLowerCase();
    const shown = keys.filter(
      (k) =>
        (s === 'all' || keyState(k) === s) && (!term || [k.name, k.keyId, k.start, k.ownerId].some((v) => v?.toLowerCase().includes(term))),
    );
    if (keys.length === 0)
      return fill(
        table,
        h(
          'p',
          { className: 'empty' },
          'No keys in this keyspace',
          owner.value ? ' for this owner' : '',
          ' yet.',
          canCreate ? ' Create one with the button above.' : '',
        ),
      );
    if (shown.length === 0) return fill(table, h('p', { className: 'empty' }, 'No keys match these filters.'));
    fill(
      table,
      h(
        'table',
        { className: 'keys' },
        h('caption', { className: 'sr-only' }, `${shown.length} keys`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Name', 'Key', 'Owner', 'State', 'Created', 'Last used', 'Uses'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          shown.map((k) =>
            h(
              'tr',
              { 'data-key-id': k.keyId },
              h('td', {}, h('button', { type: 'button', className: 'link', onclick: () => void showKey(k.keyId) }, k.name ?? k.keyId)),
              h('td', { className: 'mono' }, k.start),
              h('td', {}, k.ownerId ?? '—'),
              h('td', {}, stateBadge(k)),
              h('td', {}, when(k.createdAt)),
              h('td', {}, ago(k.lastUsedAt)),
              h('td', {}, k.usageCount),
            ),
          ),
        ),
      ),
      next ? h('button', { type: 'button', onclick: () => void load(true) }, 'More keys') : null,
    );
  };

  const toggleCreate = () => {
    if (createSlot.firstChild) {
      fill(createSlot);
      newKey?.setAttribute('aria-expanded', 'false');
      return;
    }
    newKey?.setAttribute('aria-expanded', 'true');
    fill(
      createSlot,
      createForm(ksSelect.value, keyspaces, ctx, (created, name) => {
        fill(createSlot);
        newKey?.setAttribute('aria-expanded', 'false');
        showOnce(reveal, created.key, `Key ${name ?? created.keyId} created`, ctx);
        void load();
      }),
    );
    (createSlot.querySelector('input, select') as HTMLElement | null)?.focus();
  };

  const showKey = async (keyId: string) => {
    try {
      const [k, usage] = await Promise.all([
        api<Key>('GET', `/v1/keys/${keyId}`),
        api<{ series: MinutePoint[]; recent: { at: string; code: string; ip: string | null }[]; windowMinutes: number }>(
          'GET',
          `/console/api/keys/${keyId}/usage`,
        ),
      ]);
      fill(detail, keyDetail(k, usage, ctx, { reveal, refresh: () => void load().then(() => showKey(keyId)), close: () => fill(detail) }));
      (detail.querySelector('h2') as HTMLElement | null)?.focus();
    } catch (err) {
      ctx.notify((err as Error).message, 'error');
    }
  };

  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  ksSelect.addEventListener('change', () => void load());
  state.addEventListener('change', renderTable);
  search.addEventListener('input', renderTable);
  await load();
}

function stateBadge(k: Key): HTMLElement {
  const s = keyState(k);
  return h('span', { className: `badge ${s}` }, s);
}

/** The plain key, shown once, with a copy button; gone when the page changes. */
function showOnce(slot: HTMLElement, key: string, title: string, ctx: PageContext): void {
  const copy = h('button', { type: 'button', className: 'primary', 'data-testid': 'copy-key' }, 'Copy');
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(key).then(
      () => {
        copy.textContent = 'Copied';
        ctx.notify('The key is on your clipboard.');
      },
      () => ctx.notify('The browser would not copy; select the key and copy it by hand.', 'error'),
    );
  });
  fill(
    slot,
    h(
      'section',
      { className: 'once', role: 'alert', 'aria-labelledby': 'once-title' },
      h('h2', { id: 'once-title' }, title),
      h('p', {}, 'This is the only time the key is shown. Copy it now and store it safely: Tessera keeps only a hash.'),
      h('div', { className: 'key-box' }, h('code', { 'data-testid': 'new-key' }, key), copy),
      h('button', { type: 'button', className: 'link', onclick: () => fill(slot) }, 'I have stored it — hide the key'),
    ),
  );
  copy.focus();
}

function keyspaceForm(ctx: PageContext, done: () => void): HTMLElement {
  const form = h(
    'form',
    { className: 'inline-form', 'aria-labelledby': 'ks-title' },
    h('h2', { id: 'ks-title' }, 'Create a keyspace'),
    field('Name', h('input', { name: 'name', required: true })),
    field(
      'Prefix',
      h('input', { name: 'prefix', required: true, pattern: '[a-z][a-z0-9_]{0,15}', spellcheck: 'false' }),
      'Lower-case letters, digits and _, e.g. sk_live.',
    ),
    h('button', { type: 'submit', className: 'primary' }, 'Create keyspace'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    void api('POST', '/v1/keyspaces', { name: v.name, prefix: v.prefix }).then(done, (err: Error) => ctx.notify(err.message, 'error'));
  });
  return form;
}

/** Every attribute of a key (DESIGN §1.1) has a field here. */
function createForm(
  keyspaceId: string,
  keyspaces: Keyspace[],
  ctx: PageContext,
  done: (r: { keyId: string; key: string }, name: string | undefined) => void,
): HTMLElement {
  const error = h('div', { role: 'alert', className: 'form-error' });
  const rlRows = h('div', { className: 'rl-rows' });
  const addRl = () =>
    rlRows.append(
      h(
        'div',
        { className: 'row' },
        field('Limit name', h('input', { name: 'rl_name', placeholder: 'per-second', spellcheck: 'false' })),
        field('Requests', h('input', { name: 'rl_limit', type: 'number', min: 1 })),
        field('Window (ms)', h('input', { name: 'rl_window', type: 'number', min: 100, placeholder: '1000' })),
      ),
    );
  addRl();
  const form = h(
    'form',
    { className: 'create-key', 'aria-labelledby': 'ck-title' },
    h('h2', { id: 'ck-title' }, 'Create a key'),
    h(
      'div',
      { className: 'grid' },
      field(
        'Keyspace',
        h(
          'select',
          { name: 'keyspaceId' },
          keyspaces.map((ks) =>
            h('option', { value: ks.id, ...(ks.id === keyspaceId && { selected: true }) }, `${ks.name} (${ks.prefix})`),
          ),
        ),
      ),
      field('Name', h('input', { name: 'name', maxlength: 256 })),
      field(
        'Owner',
        h('input', { name: 'ownerId', maxlength: 256, spellcheck: 'false' }),
        "Your customer's id; keys of one owner can be revoked together.",
      ),
      field('Environment', h('input', { name: 'environment', placeholder: 'production', spellcheck: 'false' })),
      field(
        'Scopes',
        h('input', { name: 'scopes', placeholder: 'documents:read documents:write', spellcheck: 'false' }),
        'Separated by spaces or commas; wildcards such as documents:* work.',
      ),
      field('Expires at', h('input', { name: 'expiresAt', type: 'datetime-local' }), 'Leave empty for no expiry.'),
      field('Or expires after (seconds)', h('input', { name: 'ttlSeconds', type: 'number', min: 1 }), 'A temporary key.'),
      field(
        'IP allowlist',
        h('input', { name: 'ipAllowlist', placeholder: '203.0.113.0/24, 2001:db8::/32', spellcheck: 'false' }),
        'CIDRs; empty allows every address.',
      ),
      field('Credits', h('input', { name: 'credits', type: 'number', min: 0 }), 'Uses left; empty for unlimited.'),
      field('Refill amount', h('input', { name: 'refillAmount', type: 'number', min: 1 })),
      field('Refill every (seconds)', h('input', { name: 'refillInterval', type: 'number', min: 1 })),
      field('Metadata (JSON object)', h('textarea', { name: 'meta', rows: 2, spellcheck: 'false', placeholder: '{"plan": "pro"}' })),
    ),
    h('fieldset', {}, h('legend', {}, 'Rate limits'), rlRows, h('button', { type: 'button', onclick: addRl }, 'Add a limit')),
    h(
      'div',
      { className: 'check' },
      h('input', { type: 'checkbox', name: 'enabled', id: 'ck-enabled', checked: true, value: 'on' }),
      h('label', { for: 'ck-enabled' }, 'Enabled'),
    ),
    error,
    h('button', { type: 'submit', className: 'primary' }, 'Create key'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    const body: Record<string, unknown> = {
      keyspaceId: v.keyspaceId,
      enabled: (form.elements.namedItem('enabled') as HTMLInputElement).checked,
    };
    if (v.name) body.name = v.name;
    if (v.ownerId) body.ownerId = v.ownerId;
    if (v.environment) body.environment = v.environment;
    if (v.scopes) body.scopes = list(v.scopes);
    if (v.expiresAt) body.expiresAt = new Date(v.expiresAt).toISOString();
    if (v.ttlSeconds) body.ttlSeconds = Number(v.ttlSeconds);
    if (v.ipAllowlist) body.ipAllowlist = list(v.ipAllowlist);
    if (v.credits)
      body.credits = {
        remaining: Number(v.credits),
        ...(v.refillAmount &&
          v.refillInterval && { refill: { amount: Number(v.refillAmount), intervalSeconds: Number(v.refillInterval) } }),
      };
    if (v.meta) {
      try {
        body.meta = JSON.parse(v.meta);
      } catch {
        fill(error, h('p', { className: 'error' }, 'Metadata must be a JSON object, e.g. {"plan": "pro"}.'));
        return;
      }
    }
    const names = new FormData(form).getAll('rl_name').map(String);
    const limits = new FormData(form).getAll('rl_limit').map(String);
    const windows = new FormData(form).getAll('rl_window').map(String);
    const ratelimits = names
      .map((name, i) => ({ name: name.trim(), limit: Number(limits[i]), windowMs: Number(windows[i] || 1000) }))
      .filter((r) => r.name && r.limit > 0);
    if (ratelimits.length > 0) body.ratelimits = ratelimits;
    void api<{ keyId: string; key: string }>('POST', '/v1/keys', body).then(
      (r) => done(r, v.name || undefined),
      (err: Error) => fill(error, h('p', { className: 'error' }, err instanceof ApiError ? err.detail : err.message)),
    );
  });
  return form;
}

function keyDetail(
  k: Key,
  usage: { series: MinutePoint[]; recent: { at: string; code: string; ip: string | null }[]; windowMinutes: number },
  ctx: PageContext,
  nav: { reveal: HTMLElement; refresh: () => void; close: () => void },
): HTMLElement {
  const s = keyState(k);
  const live = s === 'active' || s === 'disabled';
  const act = (p: Promise<unknown>, message: string) =>
    void p.then(
      () => {
        ctx.notify(message);
        nav.refresh();
      },
      (err: Error) => ctx.notify(err.message, 'error'),
    );
  const grace = h('input', { name: 'grace', type: 'number', min: 0, max: 2_592_000, value: 3600 });
  const rollForm = h(
    'form',
    { className: 'inline' },
    field('Grace period (seconds)', grace, 'The old key keeps working this long.'),
    h('button', { type: 'submit' }, 'Roll key'),
  );
  rollForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void api<{ keyId: string; key: string }>('POST', `/v1/keys/${k.keyId}/roll`, { gracePeriodSeconds: Number(grace.value) }).then(
      (r) => {
        showOnce(nav.reveal, r.key, `Key rolled: the new key ${r.keyId}`, ctx);
        nav.refresh();
      },
      (err: Error) => ctx.notify(err.message, 'error'),
    );
  });
  const reason = h('input', { name: 'reason', maxlength: 512 });
  const revokeForm = h(
    'form',
    { className: 'inline danger' },
    field('Reason (optional)', reason),
    h('button', { type: 'submit', className: 'danger' }, 'Revoke key'),
  );
  revokeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!window.confirm(`Revoke ${k.name ?? k.keyId}? It stops working at once, everywhere, and cannot be restored.`)) return;
    act(api('POST', `/v1/keys/${k.keyId}/revoke`, reason.value ? { reason: reason.value } : {}), 'The key is revoked.');
  });
  const attr = (label: string, value: string | number | HTMLElement | null) => [
    h('dt', {}, label),
    h('dd', {}, value === null || value === '' ? '—' : value),
  ];
  return h(
    'section',
    { className: 'key-detail card', 'aria-labelledby': 'kd-title' },
    h(
      'div',
      { className: 'row spread' },
      h('h2', { id: 'kd-title', tabindex: '-1' }, k.name ?? k.keyId, ' ', stateBadge(k)),
      h('button', { type: 'button', className: 'link', onclick: nav.close }, 'Close'),
    ),
    h(
      'dl',
      { className: 'attrs' },
      attr('Key id', h('code', {}, k.keyId)),
      attr('Starts with', h('code', {}, k.start)),
      attr('Owner', k.ownerId),
      attr('Environment', k.environment),
      attr('Scopes', k.scopes.join(' ')),
      attr('Created', when(k.createdAt)),
      attr('Expires', k.expiresAt ? when(k.expiresAt) : 'never'),
      attr('Revoked', k.revokedAt ? `${when(k.revokedAt)}${k.revokeReason ? ` (${k.revokeReason})` : ''}` : null),
      attr('Rolled to', k.rolledToKeyId),
      attr('IP allowlist', k.ipAllowlist.join(', ') || 'any address'),
      attr('Rate limits', k.ratelimits.map((r) => `${r.name}: ${r.limit} per ${r.windowMs} ms`).join('; ')),
      attr(
        'Credits',
        k.credits
          ? `${k.credits.remaining}${k.credits.refill ? ` (+${k.credits.refill.amount} every ${k.credits.refill.intervalSeconds} s)` : ''}`
          : 'unlimited',
      ),
      attr('Metadata', k.meta ? JSON.stringify(k.meta) : null),
      attr('Last used', ago(k.lastUsedAt)),
      attr('Uses', k.usageCount),
    ),
    live
      ? h(
          'div',
          { className: 'actions' },
          can(ctx.session, 'keys:update')
            ? h(
                'button',
                {
                  type: 'button',
                  onclick: () =>
                    act(
                      api('PATCH', `/v1/keys/${k.keyId}`, { enabled: !k.enabled }),
                      k.enabled ? 'The key is disabled.' : 'The key is enabled.',
                    ),
                },
                k.enabled ? 'Disable key' : 'Enable key',
              )
            : null,
          can(ctx.session, 'keys:create') ? rollForm : null,
          can(ctx.session, 'keys:revoke') ? revokeForm : null,
        )
      : null,
    h('h3', {}, 'Usage'),
    h('p', { className: 'muted' }, `Verifications per minute over the last ${usage.windowMinutes} minutes on this server node.`),
    outcomeChart(usage.series, { title: `Verifications of ${k.name ?? k.keyId} per minute`, id: 'key-chart' }),
    h('h3', {}, 'Recent verifications'),
    usage.recent.length === 0
      ? h('p', { className: 'empty' }, 'None since this server started.')
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Time', 'Outcome', 'Source'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            usage.recent.map((r) => h('tr', {}, h('td', {}, when(r.at)), h('td', {}, h('code', {}, r.code)), h('td', {}, r.ip ?? '—'))),
          ),
        ),
  );
}
