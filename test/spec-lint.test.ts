/**
 * openapi.yaml is linted as an OpenAPI 3.1 document by a real validator (Redocly's, with its
 * recommended rules); deliberate exceptions live in .redocly.lint-ignore.yaml with their reasons.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lint, lintFromString, loadConfig } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { SPEC_FILE } from '../mock-server/openapi/spec-document.ts';

const configPath = fileURLToPath(new URL('../redocly.yaml', import.meta.url));
const describeProblems = (problems: Awaited<ReturnType<typeof lint>>) =>
  problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);

describe('openapi.yaml', () => {
  it('lints clean with the recommended rules', async () => {
    const config = await loadConfig({ configPath });
    const problems = (await lint({ ref: SPEC_FILE, config })).filter((p) => p.ignored !== true);
    expect(describeProblems(problems)).toEqual([]);
  });

  it('the linter does catch a broken document (so the test above can fail)', async () => {
    const config = await loadConfig({ configPath });
    const broken = readFileSync(SPEC_FILE, 'utf8')
      .replace('          enum: [Inbound, Transfer]', '          enum: Inbound')
      .replace('operationId: routeVoiceCallPatch', 'operationId: routeVoiceCall');
    const problems = await lintFromString({ source: broken, absoluteRef: SPEC_FILE, config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => p.ruleId);
    expect(errors).toEqual(expect.arrayContaining(['struct', 'operation-operationId-unique']));
  });

  it('is OpenAPI 3.1 and serves the telephony API under /telephony/v1', () => {
    const text = readFileSync(SPEC_FILE, 'utf8');
    expect(text).toMatch(/^openapi: 3\.1\.\d+$/m);
    expect(text).toContain('url: http://127.0.0.1:6324/telephony/v1');
  });
});
