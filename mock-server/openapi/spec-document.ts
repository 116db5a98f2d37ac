/**
 * Loads openapi.yaml, the one source of truth for the wire, and derives the part the router serves:
 * the telephony surface (everything but the Admin tag, which the admin layer serves from the root).
 */
import { readFileSync } from 'node:fs';
import type { OpenAPIV3_1 } from 'openapi-types';
import { parse } from 'yaml';
import { packageFile } from '../package-files.ts';

export const SPEC_FILE = packageFile('openapi.yaml');
export const API_BASE_PATH = '/telephony/v1';
export const ADMIN_BASE_PATH = '/__admin';

export type SpecDocument = OpenAPIV3_1.Document;

export function loadSpecDocument(file: string = SPEC_FILE): SpecDocument {
  return parse(readFileSync(file, 'utf8')) as SpecDocument;
}

/** The telephony paths only; their URLs are relative to API_BASE_PATH (the servers' path). */
export function telephonySurface(document: SpecDocument): SpecDocument {
  const paths = Object.fromEntries(Object.entries(document.paths ?? {}).filter(([path]) => !path.startsWith(ADMIN_BASE_PATH)));
  return { ...document, paths };
}
