/** Flag parsing shared by the scv-mock commands: node's parseArgs, with its errors as usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot be run; main prints the message and exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<T extends Options> = {
  [K in keyof T]?: T[K] extends { multiple: true } ? string[] : T[K] extends { type: 'boolean' } ? boolean : string;
};

export function parseFlags<T extends Options>(argv: readonly string[], options: T): Values<T> {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
