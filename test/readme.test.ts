/** The README is the user's manual: it must list every rule, error code and start option the code has. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../contracts/sequence-rules.ts';
import { ERROR_CODES } from '../contracts/wire-schemas.ts';
import { START_HELP } from '../mock-server/cli/start-options.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the two commands a newcomer needs', () => {
    expect(readme).toContain('npm ci');
    expect(readme).toContain('npm test');
  });

  it.each(RULE_IDS)('lists rule %s', (id) => expect(readme).toContain(`\`${id}\``));
  it.each(ERROR_CODES)('lists error code %s', (code) => expect(readme).toContain(`\`${code}\``));

  it('documents every start option', () => {
    const flags = [...START_HELP.matchAll(/--[a-z-]+/g)].map((m) => m[0]).filter((f) => f !== '--help');
    for (const flag of new Set(flags)) expect(readme, flag).toContain(flag);
  });
});
