/**
 * Turns Tessera's OpenAPI 3.1 document into @tessera/api's types (packages/api/src/api-types.ts):
 * one named type per shared schema (`components.schemas`: `Anomaly`, `Webhook`, …) and the
 * `Operations` table of every management operation. The drift test regenerates the file from the
 * live document and compares; `vitest -u` rewrites it after an intended change to the API.
 */
type Schema = Record<string, any>;

const HEADER = `// Generated from Tessera's /openapi.json by test/sdk/openapi-drift.test.ts: do not edit by hand.
// After a change to the API, regenerate with: npx vitest run test/sdk/openapi-drift.test.ts -u
/* eslint-disable */
`;

/** The management operations: every documented route under /v1/. */
export function managementOperations(doc: Schema): Op[] {
  return operationsUnder(doc, '/v1/');
}

interface Op {
  op: string;
  method: string;
  path: string;
  spec: Schema;
}

/** The documented operations whose path starts with `prefix`, sorted by path, then method. */
function operationsUnder(doc: Schema, prefix: string): Op[] {
  const ops = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths ?? {})) {
    if (!path.startsWith(prefix)) continue;
    for (const [method, spec] of Object.entries<Schema>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      ops.push({ op: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, spec });
    }
  }
  return ops.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}

export function generateOperationTypes(doc: Schema): string {
  let out = HEADER;
  for (const [name, schema] of Object.entries<Schema>(doc.components?.schemas ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    out += `\n${docComment(schema.description, '')}`;
    const type = tsType(schema, 0);
    out += type.startsWith('{\n') ? `export interface ${name} ${type}\n` : `export type ${name} = ${type};\n`;
  }
  out += operationTable(
    'Operations',
    'Every management operation: its path and query parameters, body and success answer.',
    managementOperations(doc),
  );
  out += operationTable(
    'ConsoleOperations',
    "The web console's own API (session cookie and CSRF token): the same, for the console.",
    operationsUnder(doc, '/console/api/'),
  );
  return out;
}

function operationTable(name: string, description: string, ops: Op[]): string {
  let out = `\n/** ${description} */\nexport interface ${name} {\n`;
  for (const { op, spec } of ops) {
    const params = (spec.parameters ?? []) as Schema[];
    const body = spec.requestBody?.content?.['application/json']?.schema;
    out += `  /** ${comment(spec.summary ?? op)} */\n`;
    out += `  '${op}': {\n`;
    out += `    path: ${paramsType(
      params.filter((p) => p.in === 'path'),
      4,
    )};\n`;
    out += `    query: ${paramsType(
      params.filter((p) => p.in === 'query'),
      4,
    )};\n`;
    out += `    body: ${body === undefined ? 'undefined' : spec.requestBody.required ? tsType(body, 4) : `${tsType(body, 4)} | undefined`};\n`;
    out += `    response: ${responseType(spec.responses ?? {}, 4)};\n`;
    out += '  };\n';
  }
  return out + '}\n';
}

function responseType(responses: Schema, indent: number): string {
  const types: string[] = [];
  for (const [status, r] of Object.entries<Schema>(responses)) {
    if (!/^2\d\d$/.test(status)) continue;
    const schema = r.content?.['application/json']?.schema;
    // A declared non-JSON type (an event stream, JSON lines) is text; an answer the document does
    // not describe is `unknown`.
    types.push(
      schema !== undefined ? tsType(schema, indent) : status === '204' ? 'undefined' : r.content !== undefined ? 'string' : 'unknown',
    );
  }
  return types.length === 0 ? 'unknown' : [...new Set(types)].join(' | ');
}

function paramsType(params: Schema[], indent: number): string {
  if (params.length === 0) return '{}';
  const pad = ' '.repeat(indent + 2);
  const lines = params.map(
    (p) =>
      `${docComment(p.schema?.description ?? p.description, pad)}${pad}${key(p.name)}${p.required ? '' : '?'}: ${tsType(p.schema ?? {}, indent + 2)};\n`,
  );
  return `{\n${lines.join('')}${' '.repeat(indent)}}`;
}

const REF = /^#\/components\/schemas\/([A-Za-z_$][A-Za-z0-9_$]*)$/;

function tsType(s: Schema, indent: number): string {
  if (typeof s.$ref === 'string') {
    const named = REF.exec(s.$ref);
    if (named === null) throw new Error(`cannot name the type of ${s.$ref}`);
    return named[1]!;
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts)) return [...new Set(alts.map((a: Schema) => tsType(a, indent)))].join(' | ');
  if (Array.isArray(s.type)) return s.type.map((t: string) => tsType({ ...s, type: t }, indent)).join(' | ');
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${tsType(s.items ?? {}, indent)}>`;
    case 'object':
      return objectType(s, indent);
    default:
      return s.properties !== undefined ? objectType(s, indent) : 'unknown';
  }
}

function objectType(s: Schema, indent: number): string {
  const props = Object.entries<Schema>(s.properties ?? {});
  const required = new Set<string>(s.required ?? []);
  const pad = ' '.repeat(indent + 2);
  const lines = props.map(
    ([name, p]) => `${docComment(p.description, pad)}${pad}${key(name)}${required.has(name) ? '' : '?'}: ${tsType(p, indent + 2)};\n`,
  );
  const extra = s.patternProperties !== undefined ? Object.values<Schema>(s.patternProperties)[0] : s.additionalProperties;
  if (extra !== undefined && extra !== false)
    lines.push(`${pad}[name: string]: ${extra === true ? 'unknown' : tsType(extra, indent + 2)};\n`);
  if (lines.length === 0) return 'Record<string, never>';
  return `{\n${lines.join('')}${' '.repeat(indent)}}`;
}

const key = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `'${name}'`);
const comment = (text: string) => text.replaceAll('*/', '*\\/').replace(/\s+/g, ' ').trim();
const docComment = (text: unknown, pad: string) => (typeof text === 'string' && text !== '' ? `${pad}/** ${comment(text)} */\n` : '');
