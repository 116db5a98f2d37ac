/** The files the CLI commands read and write for the user: key files and CI reports. */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './parse-flags.ts';

const reasonOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Reads the private key a flag names; a file that cannot be read is a usage error (exit 2). */
export function readKeyFile(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot read it (${reasonOf(error)})`);
  }
}

/**
 * Writes (or appends to) a report file, creating its folder first. Returns null when written, or why
 * it could not be: the caller has a verdict to keep, so this never throws.
 */
export function writeReportFile(file: string, text: string, mode: 'write' | 'append' = 'write'): string | null {
  try {
    mkdirSync(dirname(file), { recursive: true });
    if (mode === 'append') appendFileSync(file, text);
    else writeFileSync(file, text);
    return null;
  } catch (error) {
    return reasonOf(error);
  }
}
