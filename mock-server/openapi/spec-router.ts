/**
 * Routes a request to an operation of openapi.yaml, compiled once from the spec's operations: one
 * pattern per path template, the most specific template first (literal segments beat parameters), and
 * the methods each path takes, so a 405 names them without probing. Words the API reserves right after
 * /voiceCalls/ (messages, route, reserveRoutableNumber, …) are never a call id: a path that starts with
 * one reaches only that word's operations, so PATCH /voiceCalls/messages cannot update (or create) a
 * call named "messages".
 *
 * openapi-backend can route too, but it rebuilds its operation list and compiles a regular expression per
 * path on every request (130 to 380 µs a request, measured); this router does the same match in a few.
 */
import { ApiError } from '../errors/api-error.ts';

export interface SpecOperation {
  operationId?: string;
  method: string;
  /** The spec path relative to the API base, e.g. /voiceCalls/{CALL_ID}/omniFlow. */
  path: string;
}

export interface Route<O extends SpecOperation> {
  operation: O;
  operationId: string;
  /** Path parameters by their spec names, decoded. */
  params: Record<string, string>;
}

interface CompiledPath<O> {
  template: string;
  pattern: RegExp;
  names: string[];
  /** Upper-case method → operation. */
  methods: Map<string, O>;
  literalLength: number;
}

const COLLECTION = 'voiceCalls';
const PARAM = /^\{([^}]+)\}$/;

function compile<O>(template: string): CompiledPath<O> {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const name = PARAM.exec(segment)?.[1];
      if (name === undefined) return segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('/');
  return {
    template,
    pattern: new RegExp(`^${source}$`),
    names,
    methods: new Map(),
    literalLength: template.replace(/\{[^}]+\}/g, '').length,
  };
}

/** The first segment after /voiceCalls/ when it is a literal of some spec path (a reserved word). */
function reservedWordOf(path: string): string | undefined {
  const [, collection, word] = path.split('/');
  return collection === COLLECTION && word !== undefined && !PARAM.test(word) ? word : undefined;
}

const pathOnly = (url: string): string => url.split('?')[0] ?? url;

export class SpecRouter<O extends SpecOperation> {
  private readonly paths: CompiledPath<O>[] = [];
  private readonly reserved = new Map<string, CompiledPath<O>[]>();

  constructor(operations: readonly O[]) {
    const byTemplate = new Map<string, CompiledPath<O>>();
    for (const operation of operations) {
      if (operation.operationId === undefined) continue;
      let compiled = byTemplate.get(operation.path);
      if (compiled === undefined) byTemplate.set(operation.path, (compiled = compile(operation.path)));
      compiled.methods.set(operation.method.toUpperCase(), operation);
    }
    // Most specific first: /voiceCalls/messages before /voiceCalls/{CALL_ID}.
    this.paths = [...byTemplate.values()].sort((a, b) => b.literalLength - a.literalLength);
    for (const compiled of this.paths) {
      const word = reservedWordOf(compiled.template);
      if (word !== undefined) this.reserved.set(word, [...(this.reserved.get(word) ?? []), compiled]);
    }
  }

  /** The words that may never be a vendorCallKey. */
  get reservedWords(): string[] {
    return [...this.reserved.keys()];
  }

  /**
   * The operation a request names, with its decoded path parameters; otherwise the 400 (malformed
   * escape), 404 or 405 (with Allow) that says what to send instead. `path` is relative to the API base.
   */
  route(method: string, path: string, shownPath: string): Route<O> {
    let relative = path;
    while (relative.length > 1 && relative.endsWith('/')) relative = relative.slice(0, -1);
    const upper = method.toUpperCase();
    const segment = reservedWordOf(relative);
    const reserved = segment === undefined ? undefined : this.reserved.get(segment);
    const word = reserved === undefined ? undefined : segment;
    const candidates = reserved ?? this.paths;
    const allowed = new Set<string>();
    for (const compiled of candidates) {
      const match = compiled.pattern.exec(relative);
      if (match === null) continue;
      const operation = compiled.methods.get(upper);
      if (operation === undefined) {
        for (const m of compiled.methods.keys()) allowed.add(m);
        continue;
      }
      return { operation, operationId: operation.operationId!, params: decodeParams(compiled.names, match, shownPath) };
    }
    if (allowed.size > 0) {
      const allow = [...allowed];
      throw new ApiError(
        405,
        'METHOD_NOT_ALLOWED',
        [
          `${method} is not allowed on ${pathOnly(shownPath)}. Use ${allow.join(' or ')}.` +
            (word === undefined ? '' : ' (This path is an endpoint of its own: it never names a call.)'),
        ],
        {},
        { Allow: allow.join(', ') },
      );
    }
    if (word !== undefined) {
      const endpoints = candidates.flatMap((compiled) =>
        [...compiled.methods.keys()].map((m) => `${m} ${compiled.template}`),
      );
      throw new ApiError(404, 'ROUTE_NOT_FOUND', [
        `No endpoint ${method} ${pathOnly(shownPath)}: "${word}" after /voiceCalls/ is reserved by the API, so it never names a call. ` +
          `Its endpoints: ${endpoints.join('; ')}.`,
      ]);
    }
    throw routeNotFound(method, shownPath);
  }
}

function decodeParams(names: readonly string[], match: RegExpExecArray, shownPath: string): Record<string, string> {
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    const raw = match[i + 1]!;
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      throw ApiError.details(400, 'INVALID_REQUEST', [
        {
          field: 'path',
          problem: `${pathOnly(shownPath)} has a malformed percent-escape; encode ids with encodeURIComponent`,
        },
      ]);
    }
  });
  return params;
}

export function routeNotFound(method: string, shownPath: string): ApiError {
  return new ApiError(404, 'ROUTE_NOT_FOUND', [
    `No endpoint ${method} ${pathOnly(shownPath)}. The API lives under /telephony/v1 (see openapi.yaml); the admin API under /__admin.`,
  ]);
}
