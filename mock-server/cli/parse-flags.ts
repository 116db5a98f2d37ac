/** Flag parsing shared by the scv-mock commands: node's parseArgs, with its errors as usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName } from '../../contracts/closest-name.ts';

/** A command line that cannot be run; main prints the message and exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<T extends Options> = {
  [K in keyof T]?: T[K] extends { multiple: true } ? string[] : T[K] extends { type: 'boolean' } ? boolean : string;
};

/** The known flag an unknown one most likely meant, if one is close enough. */
export function closestFlag(unknown: string, known: readonly string[]): string | undefined {
  const meant = closestName(unknown.replace(/^-+/, '').split('=')[0]!, known);
  return meant === undefined ? undefined : `--${meant}`;
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
