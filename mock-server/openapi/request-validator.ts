/**
 * Validates requests against openapi.yaml with openapi-backend, through its documented API only
 * (constructor options, init, getOperations, validateRequest): Ajv's JSON Schema 2020-12 dialect with
 * full formats via `customizeAjv` (the default would silently skip date-time checks). `quick` mode
 * dereferences synchronously, compiles each operation's validators on first use and does not check the
 * document against the 3.0 meta-schema, which rejects 3.1 syntax; the tests lint the spec as 3.1 instead.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsNamespace from 'ajv-formats';
import type { ErrorObject } from 'ajv';
import { OpenAPIBackend, type Operation } from 'openapi-backend';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { SpecDocument } from './spec-document.ts';
import { merged } from '../object-merge.ts';
import { afterTurn } from '../time/after-turn.ts';

// ajv-formats is CommonJS with a default export; under NodeNext the default import is the namespace.
const addFormats = formatsNamespace.default;

/** What validation reads of a request: its routed path and path parameters, headers, query and parsed JSON body. */
export interface ValidationInput {
  method: string;
  path: string;
  /** The path parameters the router read (decoded). */
  params: Readonly<Record<string, string>>;
  /** Lower-case names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: Readonly<Record<string, string | string[]>>;
  body: unknown;
}

/** The one object openapi-backend's request validators read, each the part its schema names. */
interface ValidatedParts {
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  header: Readonly<Record<string, string | string[] | undefined>>;
  cookie: Record<string, string>;
  requestBody?: unknown;
}

export class RequestValidator {
  private constructor(private readonly api: OpenAPIBackend) {}

  static async create(document: SpecDocument): Promise<RequestValidator> {
    // openapi-backend asks for a fresh Ajv per schema it compiles; building one with formats costs more
    // than compiling, so instances are shared per option set.
    const instances = new Map<string, Ajv2020>();
    const api = new OpenAPIBackend({
      definition: document,
      strict: true,
      validate: true,
      quick: true,
      customizeAjv: (_ajv, options) => {
        const key = JSON.stringify(options);
        let ajv = instances.get(key);
        if (ajv === undefined) {
          // verbose: errors carry the offending value and schema, so messages can quote them.
          ajv = new Ajv2020(merged(options, { verbose: true, allErrors: true }));
          addFormats(ajv);
          instances.set(key, ajv);
        }
        return ajv;
      },
    });
    await api.init();
    return new RequestValidator(api);
  }

  /** The spec's operations (paths relative to the API base), dereferenced. */
  operations(): Operation[] {
    return this.api.getOperations();
  }

  /** The header parameters the spec declares, lower case (what validation reads of the headers). */
  headerParameterNames(): string[] {
    const names = new Set<string>();
    for (const operation of this.operations()) {
      for (const parameter of operation.parameters ?? []) {
        if ('in' in parameter && parameter.in === 'header') names.add(parameter.name.toLowerCase());
      }
    }
    return [...names];
  }

  /**
   * Ajv's errors for a request of `operation`, empty when it is valid: the validators openapi-backend
   * compiled for the operation (getRequestValidatorsForOperation), run on the request as the pipeline
   * has already read it. validateRequest would parse the request again (headers, cookies, query, path
   * template) and that parsing cost more than validating; `validateParsing` is that route, and a drift
   * test holds the two to the same errors.
   */
  validate(operation: Operation, input: ValidationInput): ErrorObject[] {
    const parts: ValidatedParts = {
      path: { ...input.params },
      query: this.queryOf(operation, input.query),
      header: input.headers,
      cookie: {},
    };
    // A request without a body has no requestBody, so `required` reports it; any JSON value is one.
    if (input.body !== undefined) parts.requestBody = input.body;
    let errors: ErrorObject[] | undefined;
    for (const validate of this.api.validator.getRequestValidatorsForOperation(operation.operationId!)) {
      if (validate(parts)) continue;
      errors = [...(errors ?? []), ...(validate.errors ?? [])];
    }
    return errors ?? [];
  }

  /** The same request through openapi-backend's validateRequest, which parses it first: for the drift test. */
  validateParsing(operation: Operation, input: ValidationInput): ErrorObject[] {
    // openapi-backend JSON-parses a string body again, so a JSON string body goes over as JSON text.
    const body = typeof input.body === 'string' ? JSON.stringify(input.body) : input.body;
    const result = this.api.validateRequest(
      {
        method: input.method,
        path: input.path,
        query: input.query,
        headers: input.headers as Record<string, string>,
        body,
      },
      operation,
    );
    return result.errors ?? [];
  }

  /**
   * The query as validateRequest reads it: a copy (coercion writes to it), with a single value of an
   * array parameter made an array of one.
   */
  private queryOf(
    operation: Operation,
    query: Readonly<Record<string, string | string[]>>,
  ): Record<string, string | string[]> {
    const copy = { ...query };
    for (const name of this.arrayQueryParameters(operation)) {
      const value = copy[name];
      if (typeof value === 'string') copy[name] = [value];
    }
    return copy;
  }

  private readonly arrayParameters = new Map<string, readonly string[]>();

  private arrayQueryParameters(operation: Operation): readonly string[] {
    let names = this.arrayParameters.get(operation.operationId!);
    if (names === undefined) {
      names = (operation.parameters ?? []).flatMap((parameter) =>
        'in' in parameter &&
        parameter.in === 'query' &&
        (parameter.schema as { type?: unknown } | undefined)?.type === 'array'
          ? [parameter.name]
          : [],
      );
      this.arrayParameters.set(operation.operationId!, names);
    }
    return names;
  }

  /**
   * Compiles each operation's validators ahead of the requests that need them (otherwise each
   * operation's first request compiles its own), one operation per turn of the event loop, so requests
   * that arrive meanwhile wait for one compilation at most. Settles when all are compiled, or at the
   * next turn once `stopped()` says so.
   */
  warmUp(stopped: () => boolean = () => false): Promise<void> {
    const pending = this.operations();
    return new Promise((done) => {
      const next = () => {
        const operation = pending.shift();
        if (operation === undefined || stopped()) {
          done();
          return;
        }
        this.api.validateRequest({ method: operation.method, path: operation.path, headers: {}, query: {} }, operation);
        afterTurn(next);
      };
      afterTurn(next);
    });
  }
}

/** The dereferenced JSON body schema of an operation, for the undocumented-field check. */
export function requestBodySchema(operation: Operation): OpenAPIV3_1.SchemaObject | undefined {
  const body = operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  return body?.content['application/json']?.schema;
}
