/**
 * openapi-backend set up for openapi.yaml: routing by operationId and request validation with Ajv's
 * JSON Schema 2020-12 dialect and full formats (the defaults would silently skip date-time checks).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsNamespace from 'ajv-formats';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { SpecDocument } from './spec-document.ts';

// ajv-formats is CommonJS with a default export; under NodeNext the default import is the namespace.
const addFormats = formatsNamespace.default;

/**
 * openapi-backend checks documents against the OpenAPI 3.0 meta-schema, which rejects 3.1 syntax such
 * as `type: [string, 'null']`. The spec is linted as 3.1 by the tests (redocly) instead.
 */
class OpenAPI31Backend extends OpenAPIBackend {
  override validateDefinition(): Document {
    return this.document;
  }
}

export async function createOpenApiRouter(document: SpecDocument): Promise<OpenAPIBackend> {
  // openapi-backend asks for a fresh Ajv per schema it compiles; building one with formats costs more
  // than compiling, so instances are shared per option set.
  const instances = new Map<string, Ajv2020>();
  const api = new OpenAPI31Backend({
    definition: document as unknown as Document,
    strict: true,
    validate: true,
    // quick: dereference synchronously (the document has internal $refs only) and compile validators on
    // demand, so the response validators, which the mock never runs, are never built.
    quick: true,
    ignoreTrailingSlashes: true,
    customizeAjv: (_ajv, options) => {
      const key = JSON.stringify(options);
      let ajv = instances.get(key);
      if (ajv === undefined) {
        // verbose: errors carry the offending value and schema, so messages can quote them.
        ajv = new Ajv2020({ ...options, verbose: true, allErrors: true });
        addFormats(ajv);
        instances.set(key, ajv);
      }
      return ajv as unknown as typeof _ajv;
    },
  });
  await api.init();
  // openapi-backend rebuilds its list of operations (a lodash pass over every path) on each lookup, and
  // does several lookups per request; the document never changes, so the list is computed once.
  const operations = api.router.getOperations();
  const byOperationId = new Map(operations.map((operation) => [operation.operationId, operation]));
  api.router.getOperations = () => operations;
  api.router.getOperation = (operationId: string) => byOperationId.get(operationId);
  // It also parses the same request three times (before routing, after routing, in validation): the
  // parse of a given request for a given operation is kept for the next caller.
  const parse = api.router.parseRequest.bind(api.router);
  const parsed = new WeakMap<object, Map<unknown, ReturnType<typeof parse>>>();
  api.router.parseRequest = (req, operation) => {
    let byOperation = parsed.get(req);
    if (byOperation === undefined) parsed.set(req, (byOperation = new Map()));
    let result = byOperation.get(operation);
    if (result === undefined) byOperation.set(operation, (result = parse(req, operation)));
    return result;
  };
  return api;
}

/**
 * Compiles the request validators ahead of the requests that need them (otherwise each operation's
 * first request compiles its own), one operation per turn of the event loop: the server runs it just
 * after it starts listening, and requests that arrive meanwhile wait for one compilation at most.
 */
export function compileValidators(api: OpenAPIBackend): void {
  const pending = api.router.getOperations().flatMap((operation) => (operation.operationId === undefined ? [] : [operation.operationId]));
  const next = () => {
    const operationId = pending.shift();
    if (operationId === undefined) return;
    api.validator.getRequestValidatorsForOperation(operationId);
    setImmediate(next);
  };
  setImmediate(next);
}

/** The dereferenced JSON body schema of an operation, for the undocumented-field check. */
export function requestBodySchema(api: OpenAPIBackend, operationId: string): OpenAPIV3_1.SchemaObject | undefined {
  const operation = api.getOperation(operationId) as OpenAPIV3_1.OperationObject | undefined;
  const body = operation?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  return body?.content['application/json']?.schema as OpenAPIV3_1.SchemaObject | undefined;
}
