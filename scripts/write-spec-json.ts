/** Part of `npm run build`: writes openapi.yaml as dist/openapi.json, which the server loads faster. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BUILT_SPEC_FILE, SPEC_FILE } from '../mock-server/openapi/spec-document.ts';

writeFileSync(BUILT_SPEC_FILE, JSON.stringify(parse(readFileSync(SPEC_FILE, 'utf8'))));
