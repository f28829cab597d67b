import type { TSchema } from 'typebox';
import { FORM } from './form-endpoint.js';
import { CsrfForm, HtmlAnswer } from './page-forms.js';

/** The account page's answers and forms as the OpenAPI document shows them. */

export const Html = (description: string) =>
  HtmlAnswer(description, '<!doctype html><html lang="en"><head><title>Your account</title></head><body><main>…</main></body></html>');
export const BACK = {
  description: 'Done: back to the account page.',
  headers: { Location: { type: 'string', description: 'The account page.' } },
};
export const COMMON = {
  403: Html('The form’s CSRF token does not go with this browser’s cookie.'),
  500: Html('Something went wrong on our side.'),
};
export const THROTTLED = Html('Too many failed sign-ins from this network: nothing was checked.');
/** A form that takes a TOTP code: wrong codes are also limited per user, from every network together. */
export const CODES_THROTTLED = Html(
  'Too many failed sign-ins from this network, or too many wrong codes for this user: nothing was checked.',
);

/** A form of the account page: its operation, its fields, and its answers besides 403 and 500. */
export const accountForm = (
  operationId: string,
  summary: string,
  fields: Record<string, TSchema>,
  example: Record<string, string>,
  response: object,
) => ({
  schema: {
    operationId,
    tags: ['oauth'],
    summary,
    security: [],
    consumes: [FORM],
    body: CsrfForm(fields, example),
    response: { ...response, ...COMMON },
  },
});
