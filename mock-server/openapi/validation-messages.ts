/**
 * Turns Ajv's errors for a request into details a connector developer can act on: the field's path
 * (participants[0].type) and what was expected, with the value that was sent.
 */
import type { ErrorObject } from 'ajv';
import type { ErrorDetail } from '../../contracts/wire-schemas.ts';

const BODY = '(body)';

function fieldPath(instancePath: string): string {
  const parts = instancePath.split('/').slice(1);
  const section = parts.shift();
  let out = '';
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  if (section === 'requestBody') return out === '' ? BODY : out;
  if (section === 'path') return `path parameter ${out}`;
  if (section === 'header') return `header ${out}`;
  return out === '' ? BODY : out;
}

const join = (parent: string, child: string): string => (parent === BODY ? child : `${parent}.${child}`);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'an array',
  null: 'null',
};

function typeProblem(type: unknown, data: unknown, field: string): string {
  const types = (Array.isArray(type) ? type : String(type).split(',')).map((t) => TYPE_NAMES[String(t)] ?? String(t));
  let problem = `must be ${types.join(' or ')} (got ${describe(data)})`;
  if (field.endsWith('callAttributes') && typeof data === 'object' && data !== null) {
    problem += '; JSON-encode the object into a string, e.g. JSON.stringify({"Department__c": "Support"})';
  }
  return problem;
}

function formatProblem(format: unknown, data: unknown): string {
  if (format === 'date-time')
    return `must be an ISO-8601 date-time such as 2022-08-02T17:32:28Z (got ${describe(data)})`;
  if (format === 'int32') return `must be a whole number that fits in 32 bits (got ${describe(data)})`;
  return `must be a valid ${String(format)} (got ${describe(data)})`;
}

function problemOf(error: ErrorObject, field: string): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return typeProblem(p.type, error.data, field);
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).join(', ')} (got ${describe(error.data)})`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)} (got ${describe(error.data)})`;
    case 'format':
      return formatProblem(p.format, error.data);
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters long`;
    case 'minItems':
      return `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'} (got ${describe(error.data)})`;
    case 'maxItems':
      return `has ${Array.isArray(error.data) ? error.data.length : '?'} items; at most ${String(p.limit)} are allowed per request`;
    case 'minimum':
      return `must be ${String(p.limit)} or more (got ${describe(error.data)})`;
    case 'maximum':
      return `must be ${String(p.limit)} or less (got ${describe(error.data)})`;
    case 'maxProperties':
      return p.limit === 0
        ? 'takes no parameters: send no body, null or {}'
        : `must have at most ${String(p.limit)} fields`;
    default:
      return error.message ?? `fails the ${error.keyword} check`;
  }
}

/** One detail per problem; anyOf groups of `required` become "needs one of …", `if` errors are dropped. */
export function describeValidationErrors(errors: readonly ErrorObject[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const consumed = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf') continue;
    const branches = errors.filter((e) => e !== error && e.schemaPath.startsWith(`${error.schemaPath}/`));
    if (branches.length > 0 && branches.every((e) => e.keyword === 'required')) {
      const names = branches.map((e) => String((e.params as { missingProperty: string }).missingProperty));
      details.push({ field: fieldPath(error.instancePath), problem: `needs at least one of ${names.join(', ')}` });
      for (const e of [error, ...branches]) consumed.add(e);
    }
  }
  for (const error of errors) {
    if (consumed.has(error) || error.keyword === 'if' || error.keyword === 'anyOf') continue;
    const at = fieldPath(error.instancePath);
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      if (error.instancePath === '' && missing === 'requestBody') {
        details.push({ field: BODY, problem: 'is required: send a JSON object with Content-Type: application/json' });
        continue;
      }
      const condition = (error.parentSchema as { description?: unknown } | undefined)?.description;
      const when = error.schemaPath.includes('/then/') && typeof condition === 'string' ? condition : 'required';
      details.push({ field: join(at, missing), problem: `is ${when}` });
      continue;
    }
    details.push({ field: at, problem: problemOf(error, at) });
  }
  const seen = new Set<string>();
  return details.filter((d) => {
    const key = `${d.field}\u0000${d.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
