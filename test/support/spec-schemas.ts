/** The spec's schemas for tests: $refs resolved, and the request/response schema of each operation. */
import type { OpenAPIV3_1 } from 'openapi-types';
import { loadSpecDocument, type SpecDocument } from '../../mock-server/openapi/spec-document.ts';

export type JsonSchema = Record<string, unknown>;

/** Resolves every internal $ref (the spec has no cycles and no external refs). */
export function dereference(document: SpecDocument): SpecDocument {
  const resolve = (pointer: string): unknown => {
    let node: unknown = document;
    for (const part of pointer.replace(/^#\//, '').split('/')) {
      node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') return walk(resolve(ref));
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  return walk(document) as SpecDocument;
}

export const spec = dereference(loadSpecDocument());

export interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  operation: OpenAPIV3_1.OperationObject & { 'x-sequence-rules'?: string[] };
}

export function specOperations(): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item?.[method] as SpecOperation['operation'] | undefined;
      if (operation?.operationId !== undefined)
        out.push({ operationId: operation.operationId, method, path, operation });
    }
  }
  return out;
}

export function requestSchemaOf(op: SpecOperation): JsonSchema | undefined {
  const body = op.operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  return body?.content['application/json']?.schema as JsonSchema | undefined;
}

export function responseSchemaOf(op: SpecOperation, status: number): JsonSchema | undefined {
  const response = op.operation.responses?.[String(status)] as OpenAPIV3_1.ResponseObject | undefined;
  return response?.content?.['application/json']?.schema as JsonSchema | undefined;
}

/** The query parameters of an operation as one object schema (the GET lookups take their input there). */
export function querySchemaOf(op: SpecOperation): JsonSchema {
  const params = ((op.operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[]).filter((p) => p.in === 'query');
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema as JsonSchema])),
    required: params.filter((p) => p.required === true).map((p) => p.name),
  };
}

/** What an operation takes as its input: the JSON body, or for the GET lookups the query parameters. */
export function inputSchemaOf(op: SpecOperation): JsonSchema | undefined {
  return op.method === 'get' ? querySchemaOf(op) : requestSchemaOf(op);
}

/** Every example of a request body in the spec (media-type `example` and `examples`). */
export function requestExamplesOf(op: SpecOperation): unknown[] {
  const media = (op.operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content['application/json'];
  if (media === undefined) return [];
  const examples = Object.values(media.examples ?? {}).map((e) => (e as { value: unknown }).value);
  return media.example === undefined ? examples : [media.example, ...examples];
}
