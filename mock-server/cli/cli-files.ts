/** The files the CLI commands read and write for the user: key files, JSON option files and CI reports. */
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

/** Reads and parses the JSON file a flag names; one that cannot be read or parsed is a usage error. */
export function readJsonFile(flag: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot read it (${reasonOf(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${flag} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A report a command was asked for: its file (undefined when not asked for), its text, and how to write it. */
export type ReportFile = readonly [file: string | undefined, text: string, mode?: 'write' | 'append'];

/**
 * Writes the reports asked for, after the verdict was printed. One that cannot be written is named on
 * stderr and the others are still written; returns false then (the command exits 2).
 */
export function writeReportFiles(command: string, reports: readonly ReportFile[]): boolean {
  let written = true;
  for (const [file, text, mode] of reports) {
    if (file === undefined) continue;
    const problem = writeReportFile(file, text, mode);
    if (problem === null) continue;
    written = false;
    process.stderr.write(`scv-mock ${command}: cannot write ${file} (${problem}); the verdict above stands\n`);
  }
  return written;
}

/**
 * Writes (or appends to) a report file, creating its folder first. Returns null when written, or why
 * it could not be: the caller has a verdict to keep, so this never throws.
 */
function writeReportFile(file: string, text: string, mode: 'write' | 'append' = 'write'): string | null {
  try {
    mkdirSync(dirname(file), { recursive: true });
    if (mode === 'append') appendFileSync(file, text);
    else writeFileSync(file, text);
    return null;
  } catch (error) {
    return reasonOf(error);
  }
}
