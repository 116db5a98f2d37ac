/**
 * The key files an org fixture names: paths relative to the fixture's folder, checked when the fixture
 * loads (with its other problems, in one pass) and read when the keys are registered.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { packageFile } from '../package-files.ts';
import { objectsIn, stringOr } from './loose-json.ts';
import type { FixtureKey } from './org-fixture-schema.ts';

const FILE_FIELDS = ['publicKeyFile', 'certificateFile'] as const;

/**
 * What to do about a key file a fixture names and that is not there. A copy of the default org names
 * the package's demo certificate by a path relative to the package's fixtures folder: say where it is.
 */
function missingKeyHint(named: string, fixtureFile: string): string {
  const rule = `Key file paths in a fixture are relative to the fixture's folder (${dirname(fixtureFile)}).`;
  if (isAbsolute(named)) return rule;
  const packaged = packageFile(join('fixtures', named));
  return existsSync(packaged) && resolve(dirname(fixtureFile), named) !== packaged
    ? `${rule} This one is the package's demo material, at ${packaged}: name that path, or your own key.`
    : rule;
}

const cannotRead = (path: string, error: unknown, named: string, fixtureFile: string) =>
  `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ${missingKeyHint(named, fixtureFile)}`;

/** Every key file of a parsed fixture (valid or not) that cannot be read, as `path: problem` lines. */
export function keyFileProblems(json: unknown, fixtureFile: string): string[] {
  const problems: string[] = [];
  const centers =
    typeof json === 'object' && json !== null ? (json as { contactCenters?: unknown }).contactCenters : [];
  for (const [i, center] of objectsIn(centers)) {
    for (const [j, key] of objectsIn(center.keys)) {
      for (const field of FILE_FIELDS) {
        const named = stringOr(key[field]);
        if (named === undefined || named === '') continue;
        const path = resolve(dirname(fixtureFile), named);
        try {
          accessSync(path, constants.R_OK);
        } catch (error) {
          problems.push(`contactCenters[${i}].keys[${j}].${field}: ${cannotRead(path, error, named, fixtureFile)}`);
        }
      }
    }
  }
  return problems;
}

/** A fixture key's PEM text; throws with the hint when its file cannot be read. */
export function readFixtureKey(ref: FixtureKey, fixtureFile: string): string {
  if (ref.publicKey !== undefined) return ref.publicKey;
  if (ref.certificate !== undefined) return ref.certificate;
  const named = (ref.publicKeyFile ?? ref.certificateFile)!;
  const path = resolve(dirname(fixtureFile), named);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(cannotRead(path, error, named, fixtureFile), { cause: error });
  }
}
