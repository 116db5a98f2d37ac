/** `npm run schemas`: writes the fixture files' JSON Schemas into fixtures/ from the zod schemas. */
import { writeFileSync } from 'node:fs';
import { fixtureJsonSchemas, jsonSchemaText } from '../mock-server/org/fixture-json-schemas.ts';

for (const { file, schema } of fixtureJsonSchemas()) {
  writeFileSync(new URL(`../fixtures/${file}`, import.meta.url), jsonSchemaText(schema));
  console.log(`wrote fixtures/${file}`);
}
