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

// ajv-formats is CommonJS with a default export; under NodeNext the default import is the namespace.
const addFormats = formatsNamespace.default;

/** What validation reads of a request: its routed path, headers, query and parsed JSON body. */
export interface ValidationInput {
  method: string;
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: Readonly<Record<string, string | string[]>>;
  body: unknown;
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
          ajv = new Ajv2020({ ...options, verbose: true, allErrors: true });
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

  /** Ajv's errors for a request of `operation`, empty when it is valid. */
  validate(operation: Operation, input: ValidationInput): ErrorObject[] {
    // openapi-backend JSON-parses a string body again, so a JSON string body goes over as JSON text.
    const body = typeof input.body === 'string' ? JSON.stringify(input.body) : input.body;
    const result = this.api.validateRequest(
      { ...input, headers: input.headers as Record<string, string>, body },
      operation,
    );
    return result.errors ?? [];
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
        setImmediate(next);
      };
      setImmediate(next);
    });
  }
}

/** The dereferenced JSON body schema of an operation, for the undocumented-field check. */
export function requestBodySchema(operation: Operation): OpenAPIV3_1.SchemaObject | undefined {
  const body = operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  return body?.content['application/json']?.schema;
}
