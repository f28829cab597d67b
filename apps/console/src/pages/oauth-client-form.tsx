import { useState, type FormEvent } from 'react';
import { api, type Answer } from '../api.js';
import { Field } from '../field.js';
import { FormFooter } from '../form-error.js';
import { Options } from '../options.js';
import { useFormSend } from '../use-form-send.js';

type Client = Answer<'GET /v1/oauth/clients'>['items'][number];
type GrantType = Client['grantTypes'][number];
type AuthMethod = Client['tokenEndpointAuthMethod'];

/** The grants a client may be given, in the words the form shows. */
const GRANTS: readonly { value: GrantType; label: string; hint: string }[] = [
  { value: 'client_credentials', label: 'Client credentials', hint: 'a service calling an API as itself' },
  { value: 'authorization_code', label: 'Authorization code', hint: 'people sign in through an app (with PKCE)' },
  { value: 'refresh_token', label: 'Refresh token', hint: 'the app renews its tokens without asking again' },
  {
    value: 'urn:ietf:params:oauth:grant-type:device_code',
    label: 'Device code',
    hint: 'a TV or command line; people sign in on another device',
  },
  { value: 'urn:ietf:params:oauth:grant-type:token-exchange', label: 'Token exchange', hint: 'trade a token for another (RFC 8693)' },
];

/** How a client with a secret, or a public one, authenticates, as the form offers it. */
const AUTH_METHODS: Record<Exclude<AuthMethod, 'private_key_jwt'>, string> = {
  client_secret_basic: 'A secret, in the Authorization header',
  client_secret_post: 'A secret, in the form body',
  none: 'None: a public app (browser, mobile)',
};

/** The lists of addresses an authorization code client has, one a line, as the form asks for them. */
const ADDRESS_LISTS: readonly {
  name: 'redirectUris' | 'postLogoutRedirectUris' | 'webOrigins';
  label: string;
  hint: string;
  rows: number;
  placeholder: string;
}[] = [
  {
    name: 'redirectUris',
    label: 'Redirect URIs',
    hint: 'One a line, matched exactly: https addresses, http on 127.0.0.1 for native apps, or an app scheme such as com.example.app:/callback.',
    rows: 3,
    placeholder: 'https://app.example.com/callback',
  },
  {
    name: 'postLogoutRedirectUris',
    label: 'After sign-out, back to',
    hint: 'Optional, one a line: where the app may send people after they sign out, matched exactly.',
    rows: 2,
    placeholder: 'https://app.example.com/',
  },
  {
    name: 'webOrigins',
    label: 'Web origins',
    hint: 'Optional, one a line: origins of browser apps that call the token endpoint themselves (CORS), such as https://app.example.com.',
    rows: 2,
    placeholder: 'https://app.example.com',
  },
];

/** Words in a field, split by spaces, commas or lines (a URI holds none of them). */
const words = (text: string) => text.split(/[\s,]+/).filter((w) => w !== '');

/** The request body the form's values make, or what is wrong with them, in a sentence. */
function bodyOf(data: FormData): { body: Record<string, unknown> } | { error: string } {
  const name = String(data.get('name') ?? '').trim();
  const grantTypes = data.getAll('grantType').map(String) as GrantType[];
  const auth = String(data.get('auth') ?? 'client_secret_basic') as AuthMethod;
  const redirectUris = words(String(data.get('redirectUris') ?? ''));
  const postLogoutRedirectUris = words(String(data.get('postLogoutRedirectUris') ?? ''));
  const webOrigins = words(String(data.get('webOrigins') ?? ''));
  if (name === '') return { error: 'Give the client a name, such as “Billing dashboard”.' };
  if (grantTypes.length === 0) return { error: 'Choose at least one grant.' };
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0)
    return { error: 'The authorization code grant needs at least one redirect URI: where people are sent back after signing in.' };
  if (!grantTypes.includes('authorization_code') && redirectUris.length > 0)
    return { error: 'Redirect URIs are only for the authorization code grant: choose it, or leave the redirect URIs empty.' };
  for (const uri of [...redirectUris, ...postLogoutRedirectUris])
    if (!/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.includes('#'))
      return {
        error: `“${uri}” is not a redirect URI: write a full address such as https://app.example.com/callback, without a #fragment.`,
      };
  for (const origin of webOrigins)
    if (!/^https?:\/\/[^/?#\s]+$/i.test(origin))
      return { error: `“${origin}” is not a web origin: write the scheme and host only, such as https://app.example.com, without a path.` };
  const requirePar = data.get('requirePar') === 'on';
  if (requirePar && !grantTypes.includes('authorization_code'))
    return { error: 'Pushed authorization requests are for the authorization code grant: choose it, or leave that box unticked.' };
  if (
    auth === 'none' &&
    (grantTypes.includes('client_credentials') || grantTypes.includes('urn:ietf:params:oauth:grant-type:token-exchange'))
  )
    return {
      error: 'A public client has no secret, so it cannot use client credentials or token exchange: choose a secret, or other grants.',
    };
  return {
    body: {
      name,
      scopes: words(String(data.get('scopes') ?? '')),
      audience: words(String(data.get('audience') ?? '')),
      grantTypes,
      redirectUris,
      postLogoutRedirectUris,
      webOrigins,
      tokenEndpointAuthMethod: auth,
      requirePar,
    },
  };
}

/**
 * An OAuth client's form: its name, grants, how it authenticates (a secret, or none for a public
 * client), redirect URIs and where people may go after signing out, whether it must push its
 * authorization requests, scopes and audience. With `client` it edits that client (PATCH),
 * without it creates one (POST). A client that signs with its own keys (`private_key_jwt`) is
 * set up with the API; its authentication is kept as it is here.
 */
export function OAuthClientForm({
  client,
  onSaved,
}: {
  client?: Client;
  onSaved(c: Answer<'POST /v1/oauth/clients'> | Answer<'PATCH /v1/oauth/clients/{clientId}'>): void;
}) {
  const { error, setError, send } = useFormSend();
  const [grants, setGrants] = useState<GrantType[]>(client?.grantTypes ?? ['client_credentials']);
  const keyJwt = client?.tokenEndpointAuthMethod === 'private_key_jwt';
  const id = client === undefined ? 'oc-create' : `oc-edit-${client.clientId}`;

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const made = bodyOf(new FormData(form));
    if ('error' in made) return setError(made.error);
    const body = { ...made.body };
    if (keyJwt) delete body.tokenEndpointAuthMethod;
    const call =
      client === undefined
        ? api<Answer<'POST /v1/oauth/clients'>>('POST', '/v1/oauth/clients', body)
        : api<Answer<'PATCH /v1/oauth/clients/{clientId}'>>('PATCH', `/v1/oauth/clients/${client.clientId}`, body);
    send(call, (c) => {
      if (client === undefined) {
        form.reset();
        setGrants(['client_credentials']);
      }
      onSaved(c);
    });
  };

  return (
    <form className="inline-form" aria-labelledby={id} onSubmit={submit} noValidate>
      {client === undefined ? (
        <>
          <h2 id={id}>Create an OAuth client</h2>
          <p className="muted small">
            A service that calls your APIs (client credentials), or an app people sign in through (authorization code). Clients that sign
            with their own keys (private_key_jwt), token lifetimes and DPoP are set with the API.
          </p>
        </>
      ) : (
        <h3 id={id}>{`Edit ${client.name}`}</h3>
      )}
      <Field label="Name">
        <input name="name" maxLength={200} autoComplete="off" defaultValue={client?.name} />
      </Field>
      <fieldset>
        <legend>Grants</legend>
        <div className="choices">
          {GRANTS.map((g) => (
            <label key={g.value} className="check">
              <input
                type="checkbox"
                name="grantType"
                value={g.value}
                checked={grants.includes(g.value)}
                onChange={(e) => setGrants(e.target.checked ? [...grants, g.value] : grants.filter((x) => x !== g.value))}
              />{' '}
              <span>
                {g.label} <span className="muted small">({g.hint})</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {keyJwt ? (
        <p className="muted small">It authenticates with its own signing keys (private_key_jwt); change that with the API.</p>
      ) : (
        <Field
          label="How it authenticates"
          hint="A public client has no secret: it proves itself with PKCE, as a browser or mobile app cannot keep one."
        >
          <select name="auth" defaultValue={client?.tokenEndpointAuthMethod ?? 'client_secret_basic'}>
            <Options values={Object.keys(AUTH_METHODS) as (keyof typeof AUTH_METHODS)[]} label={(m) => AUTH_METHODS[m]} />
          </select>
        </Field>
      )}
      {grants.includes('authorization_code') &&
        ADDRESS_LISTS.map((l) => (
          <Field key={l.name} label={l.label} hint={l.hint}>
            <textarea
              name={l.name}
              rows={l.rows}
              spellCheck={false}
              placeholder={l.placeholder}
              defaultValue={client?.[l.name].join('\n')}
            />
          </Field>
        ))}
      {grants.includes('authorization_code') && (
        <label className="check">
          <input type="checkbox" name="requirePar" defaultChecked={client?.requirePar} />{' '}
          <span>
            Require pushed authorization requests{' '}
            <span className="muted small">(PAR: the app sends the request to Tessera first, so it cannot be altered on the way)</span>
          </span>
        </label>
      )}
      <Field label="Scopes" hint="Separated by spaces or commas; wildcards such as invoices:* work.">
        <input name="scopes" placeholder="invoices:read invoices:write" spellCheck={false} defaultValue={client?.scopes.join(' ')} />
      </Field>
      <Field label="Audience" hint="The APIs its tokens are for, such as https://api.example.com; the first is the default.">
        <input name="audience" spellCheck={false} defaultValue={client?.audience.join(' ')} />
      </Field>
      <FormFooter error={error} submit={client === undefined ? 'Create client' : 'Save client'} />
    </form>
  );
}
