/**
 * The README is the user's manual: it must list every rule (as the table grades it), error code and start option the
 * code has.
 */
import { describe, expect, it } from 'vitest';
import { defaultLevel, SEQUENCE_RULES } from '../contracts/sequence-rules.ts';
import { ERROR_CODES } from '../contracts/wire-schemas.ts';
import { START_HELP } from '../mock-server/cli/start-help.ts';
import { README } from './support/readme-blocks.ts';

const readme = README;

describe('README', () => {
  it('links only to headings it has (the contents and the reader guide)', () => {
    // GitHub's anchors: lower case, punctuation dropped, spaces to hyphens.
    const anchors = new Set(
      [...readme.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading]) =>
        heading!
          .trim()
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map(([, anchor]) => anchor!);
    expect(links.length).toBeGreaterThan(14);
    for (const link of links) expect(anchors, link).toContain(link);
  });

  it('shows the two commands a newcomer needs', () => {
    expect(readme).toContain('npm ci');
    expect(readme).toContain('npm test');
  });

  it.each(SEQUENCE_RULES.map((rule) => [rule.id, rule] as const))(
    'lists rule %s with its kind, evidence grade, default level and status',
    (id, rule) => {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${id}\` |`));
      expect(row, `a row for ${id} in the rule table`).toBeDefined();
      const cells = row!.split(' | ').map((cell) => cell.trim());
      expect(cells[1]).toBe(rule.kind);
      expect(cells[2]).toMatch(new RegExp(`^${rule.evidence.grade}: `));
      if (rule.evidence.contradictedBy !== undefined) expect(cells[2]).toContain(rule.evidence.contradictedBy.url);
      expect(cells[3]).toBe(defaultLevel(rule));
      expect(cells[4]).toBe(String(rule.status));
    },
  );
  it.each(ERROR_CODES)('lists error code %s', (code) => expect(readme).toContain(`\`${code}\``));

  it('documents every start option', () => {
    const flags = [...START_HELP.matchAll(/--[a-z-]+/g)].map((m) => m[0]).filter((f) => f !== '--help');
    for (const flag of new Set(flags)) expect(readme, flag).toContain(flag);
  });
});
