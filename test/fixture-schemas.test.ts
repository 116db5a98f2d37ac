/**
 * The fixture files' JSON Schemas (fixtures/*.schema.json): generated from the zod schemas the mock
 * checks files with, current, named by the shipped fixture's "$schema", and strict enough to be useful
 * in an editor (they refuse what the mock refuses, short of cross-references).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsNamespace from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { fixtureJsonSchemas, jsonSchemaText } from '../mock-server/org/fixture-json-schemas.ts';
import { DEFAULT_ORG_FILE } from '../mock-server/org/simulated-org.ts';

const addFormats = formatsNamespace.default;
const fixtures = new URL('../fixtures/', import.meta.url);
const schemaNamed = (file: string) => fixtureJsonSchemas().find((s) => s.file === file)!.schema;
const validator = (file: string) => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schemaNamed(file));
};
type Org = {
  contactCenters: Array<Record<string, unknown> & { keys: unknown[]; flows: Array<{ routes: unknown[] }> }>;
};
const defaultOrg = () => JSON.parse(readFileSync(DEFAULT_ORG_FILE, 'utf8')) as Org & Record<string, unknown>;

describe('the fixture JSON Schemas', () => {
  it.each(fixtureJsonSchemas().map((s) => s.file))('fixtures/%s is current (npm run schemas writes it)', (file) => {
    expect(readFileSync(new URL(file, fixtures), 'utf8')).toBe(jsonSchemaText(schemaNamed(file)));
  });

  it("is what the shipped org fixture's $schema names, and the fixture passes it", () => {
    const org = defaultOrg();
    expect(org.$schema).toBe('./org-fixture.schema.json');
    const validate = validator('org-fixture.schema.json');
    expect(validate(org), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each<[string, (org: Org & Record<string, unknown>) => void]>([
    ['an unknown field', (org) => (org.contactCenters[0]!.lable = 'x')],
    ['a missing list', (org) => delete org.contactCenters[0]!.reps],
    ['an id of the wrong kind', (org) => (org.orgId = '001SM0000000MCK')],
    ['a key in two forms', (org) => (org.contactCenters[0]!.keys = [{ publicKey: 'a', certificateFile: 'b' }])],
    ['a key in no form', (org) => (org.contactCenters[0]!.keys = [{ name: 'nothing' }])],
    ['a route to nobody', (org) => (org.contactCenters[0]!.flows[0]!.routes = [{ when: { callOrigin: 'Voicemail' } }])],
    ['an unknown rule id', (org) => (org.rules = { NO_SUCH_RULE: 'refuse' })],
    ['an unknown rule level', (org) => (org.rules = { CLEAR_ROUTING_WITHOUT_PENDING: 'loud' })],
  ])('refuses %s, as the mock does', (_label, spoil) => {
    const org = defaultOrg();
    spoil(org);
    expect(validator('org-fixture.schema.json')(org)).toBe(false);
  });

  it('checks a rules file: known ids and levels only', () => {
    const validate = validator('rules-file.schema.json');
    expect(validate({ $schema: 'x', rules: { CLEAR_ROUTING_WITHOUT_PENDING: 'refuse' } })).toBe(true);
    expect(validate({ rules: { CLEAR_ROUTING_WITHOUT_PENDNG: 'refuse' } })).toBe(false);
    expect(validate({ rule: {} })).toBe(false);
  });
});
