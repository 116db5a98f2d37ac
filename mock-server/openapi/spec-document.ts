/**
 * Loads openapi.yaml, the one source of truth for the wire, and derives the part the router serves:
 * the telephony surface (everything but the Admin tag, which the admin layer serves from the root).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { OpenAPIV3_1 } from 'openapi-types';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { packageFile } from '../package-files.ts';
import { merged } from '../object-merge.ts';

export const SPEC_FILE = packageFile('openapi.yaml');
export const API_BASE_PATH = '/telephony/v1';
export const ADMIN_BASE_PATH = '/__admin';

export type SpecDocument = OpenAPIV3_1.Document;

/** The build writes the spec as JSON too: parsing it is much faster than parsing the YAML at start. */
export const BUILT_SPEC_FILE = packageFile('dist/openapi.json');

export function loadSpecDocument(file: string = SPEC_FILE): SpecDocument {
  if (
    file === SPEC_FILE &&
    existsSync(BUILT_SPEC_FILE) &&
    statSync(BUILT_SPEC_FILE).mtimeMs >= statSync(SPEC_FILE).mtimeMs
  ) {
    return JSON.parse(readFileSync(BUILT_SPEC_FILE, 'utf8')) as SpecDocument;
  }
  // yaml loads only when the JSON copy is missing or older (a checkout without a fresh build).
  const { parse } = createRequire(import.meta.url)('yaml') as typeof Yaml;
  return parse(readFileSync(file, 'utf8')) as SpecDocument;
}

/** The telephony paths only; their URLs are relative to API_BASE_PATH (the servers' path). */
export function telephonySurface(document: SpecDocument): SpecDocument {
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).filter(([path]) => !path.startsWith(ADMIN_BASE_PATH)),
  );
  return merged(document, { paths });
}
