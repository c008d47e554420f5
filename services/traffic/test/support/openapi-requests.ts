/**
 * Checks a planned request against the OpenAPI document a service really serves (generated from
 * its TypeBox schemas): the path matches an operation, every path, query and header parameter
 * is valid and known, the JSON body matches the request schema.
 */
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { PlannedRequest } from '../../src/journeys.js';

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: object;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

// Parameters arrive as strings (coerced, as the services do); bodies are validated as sent.
const paramAjv = new Ajv({ strict: false, coerceTypes: true, allErrors: true });
const bodyAjv = new Ajv({ strict: false, coerceTypes: false, allErrors: true });
addFormats(paramAjv);
addFormats(bodyAjv);
const compiled = new WeakMap<object, ReturnType<Ajv['compile']>>();

function validator(ajv: Ajv, schema: object): ReturnType<Ajv['compile']> {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(ajv === paramAjv ? { type: 'object', properties: { value: schema } } : schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Returns the problems of `request` against `doc` (empty when valid). */
export function requestProblems(doc: OpenApiDocument, request: PlannedRequest): string[] {
  const url = new URL(request.path, 'http://target');
  const match = Object.entries(doc.paths).find(([template]) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`).test(url.pathname));
  if (!match) return [`no operation for ${url.pathname}`];
  const [template, operations] = match;
  const operation = operations[request.method.toLowerCase()];
  if (!operation) return [`${request.method} is not an operation of ${template}`];
  const problems: string[] = [];
  const pathValues = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`).exec(url.pathname)!.slice(1);
  const pathNames = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const values: Record<Parameter['in'], Record<string, string>> = {
    path: Object.fromEntries(pathNames.map((n, i) => [n, decodeURIComponent(pathValues[i]!)])),
    query: Object.fromEntries(url.searchParams),
    header: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const parameters = operation.parameters ?? [];
  for (const name of Object.keys(values.query)) {
    if (!parameters.some((p) => p.in === 'query' && p.name === name)) problems.push(`unknown query parameter ${name}`);
  }
  for (const p of parameters) {
    const value = values[p.in][p.in === 'header' ? p.name.toLowerCase() : p.name];
    if (value === undefined) {
      if (p.required) problems.push(`missing ${p.in} parameter ${p.name}`);
      continue;
    }
    const validate = validator(paramAjv, p.schema);
    if (!validate({ value })) problems.push(`${p.in} ${p.name}=${value}: ${paramAjv.errorsText(validate.errors)}`);
  }
  if (operation.requestBody) {
    const schema = operation.requestBody.content['application/json']?.schema;
    if (request.body === undefined) {
      if (operation.requestBody.required) problems.push('missing body');
    } else if (!request.headers['content-type']?.startsWith('application/json') || !schema) {
      problems.push('body not sent as application/json');
    } else {
      const validate = validator(bodyAjv, schema);
      if (!validate(JSON.parse(request.body))) problems.push(`body: ${bodyAjv.errorsText(validate.errors)}`);
    }
  }
  return problems;
}
