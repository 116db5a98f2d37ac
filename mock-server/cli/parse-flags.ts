/** Flag parsing shared by the scv-mock commands: node's parseArgs, with its errors as usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot be run; main prints the message and exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<T extends Options> = {
  [K in keyof T]?: T[K] extends { multiple: true } ? string[] : T[K] extends { type: 'boolean' } ? boolean : string;
};

/** Edits (insert, delete, replace, swap two neighbours) that turn a into b. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known flag an unknown one most likely meant, if one is close enough. */
export function closestFlag(unknown: string, known: readonly string[]): string | undefined {
  const name = unknown.replace(/^-+/, '').split('=')[0]!;
  let best: { flag: string; edits: number } | undefined;
  for (const flag of known) {
    const edits = flag.startsWith(name) && name.length >= 3 ? 0 : distance(name, flag);
    if (edits <= Math.max(1, Math.floor(flag.length / 4)) && (best === undefined || edits < best.edits))
      best = { flag, edits };
  }
  return best === undefined ? undefined : `--${best.flag}`;
}

export function parseFlags<T extends Options>(argv: readonly string[], options: T): Values<T> {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    if (unknown === undefined) throw new UsageError((error as Error).message);
    const meant = closestFlag(unknown, Object.keys(options));
    throw new UsageError(`unknown option ${unknown}${meant === undefined ? '' : ` (did you mean ${meant}?)`}`);
  }
}
