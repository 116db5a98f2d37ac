/**
 * Words the API reserves right after /voiceCalls/ (messages, route, reserveRoutableNumber, …): a path
 * that starts with one is never a call id, so it must not fall through to the {CALL_ID} operations (a
 * PATCH /voiceCalls/messages would otherwise update, or create, a call named "messages"). Pure: the
 * spec's operations in, a verdict per request out.
 */

export interface SpecRoute {
  method: string;
  /** The spec path relative to the API base, e.g. /voiceCalls/route/{CALL_ID}. */
  path: string;
}

export type ReservedPathVerdict =
  | { kind: 'not-reserved' }
  /** An operation of the reserved word takes this method and path. */
  | { kind: 'served' }
  /** The path is one of the reserved word's, but not for this method. */
  | { kind: 'wrong-method'; allow: string[] }
  /** The path starts with a reserved word but is none of its endpoints. */
  | { kind: 'no-such-endpoint'; word: string; endpoints: string[] };

const COLLECTION = 'voiceCalls';

function pattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

export class ReservedPaths {
  /** Reserved word → the endpoints that start with it. */
  private readonly byWord = new Map<string, Array<SpecRoute & { match: RegExp }>>();

  constructor(routes: readonly SpecRoute[]) {
    for (const route of routes) {
      const [, collection, word] = route.path.split('/');
      if (collection !== COLLECTION || word === undefined || word.startsWith('{')) continue;
      const list = this.byWord.get(word) ?? [];
      list.push({ ...route, method: route.method.toUpperCase(), match: pattern(route.path) });
      this.byWord.set(word, list);
    }
  }

  /** The reserved words, for what may not be a vendorCallKey. */
  get words(): string[] {
    return [...this.byWord.keys()];
  }

  judge(method: string, path: string): ReservedPathVerdict {
    const [, collection, word] = path.split('/');
    const routes = collection === COLLECTION && word !== undefined ? this.byWord.get(word) : undefined;
    if (routes === undefined) return { kind: 'not-reserved' };
    const matching = routes.filter((route) => route.match.test(path));
    if (matching.length === 0) {
      return { kind: 'no-such-endpoint', word: word!, endpoints: routes.map((route) => `${route.method} ${route.path}`) };
    }
    if (matching.some((route) => route.method === method.toUpperCase())) return { kind: 'served' };
    return { kind: 'wrong-method', allow: [...new Set(matching.map((route) => route.method))] };
  }
}
