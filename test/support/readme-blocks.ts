/** The README's examples, read by the tests that run them as written. */
import { readFileSync } from 'node:fs';

export const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The body of the first fenced code block after `marker` in the README; throws when there is none. */
export function readmeBlock(marker: string): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`the README no longer contains "${marker}"`);
  const fence = /^```[\w-]*\n/m.exec(README.slice(at));
  if (fence === null) throw new Error(`no code block after "${marker}" in the README`);
  const start = at + fence.index + fence[0].length;
  return README.slice(start, README.indexOf('\n```', start) + 1);
}

/** The body of the fenced code block that contains `marker` (a comment naming the file, say). */
export function readmeBlockContaining(marker: string): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`the README no longer contains "${marker}"`);
  const fenceAt = README.lastIndexOf('\n```', at);
  const start = README.indexOf('\n', fenceAt + 1) + 1;
  return README.slice(start, README.indexOf('\n```', start) + 1);
}
