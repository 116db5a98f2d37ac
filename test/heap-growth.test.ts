import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { growthChosenByUser, storeBytesOnDisk } from '../mock-server/cli/heap-growth.ts';

describe('heap growth of `scv-mock start`', () => {
  it('leaves the growth to the user who sets it in node flags or NODE_OPTIONS', () => {
    expect(growthChosenByUser([], undefined)).toBe(false);
    expect(growthChosenByUser(['--enable-source-maps'], '--max-old-space-size=512')).toBe(false);
    expect(growthChosenByUser(['--heap-growing-percent=50'], undefined)).toBe(true);
    expect(growthChosenByUser([], '--inspect --heap_growing_percent=5')).toBe(true);
  });
});

describe('store size on disk, which decides the cap before the store is read', () => {
  it('adds the snapshot and its log, and is 0 without a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-growth-'));
    try {
      const file = join(dir, 'store.json');
      expect(storeBytesOnDisk(null)).toBe(0);
      expect(storeBytesOnDisk(file)).toBe(0);
      writeFileSync(file, 'x'.repeat(100));
      writeFileSync(`${file}.wal`, 'y'.repeat(20));
      expect(storeBytesOnDisk(file)).toBe(120);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the growth, as V8 applies it', () => {
  // V8 prints each new old-generation limit with the factor it used (--trace-gc-verbose); the script
  // prints CAPPED when adaptHeapGrowth reports the cap.
  const limitFactors = (storeBytes: number, body: string[]): { before: string[]; after: string[] } => {
    const module = new URL('../mock-server/cli/heap-growth.ts', import.meta.url).href;
    const script = [
      `import { adaptHeapGrowth } from ${JSON.stringify(module)};`,
      'let capped = false;',
      `adaptHeapGrowth(${storeBytes}, () => { capped = true; console.log('CAPPED'); });`,
      ...body,
    ].join('\n');
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--trace-gc-verbose', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 64 * 2 ** 20, timeout: 50_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const factors = (text: string) =>
      [...text.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)/g)].map((match) => match[1]!);
    const [before, after = ''] = run.stdout.split('CAPPED');
    return { before: factors(before!), after: factors(after) };
  };
  const keep = (objects: number) => `for (let i = 0; i < ${objects}; i++) kept.push({ i, text: 'x' + i });`;

  it('grows the heap by half at most when the store on disk is large', () => {
    const { before, after } = limitFactors(200 * 2 ** 20, ['const kept = [];', keep(400_000), 'globalThis.gc();']);
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(before)).toEqual(new Set(['1.5']));
    expect(after).toEqual([]);
  });

  it('lets a small heap grow to four times what survives', () => {
    const { before, after } = limitFactors(0, ['const kept = [];', keep(400_000), 'globalThis.gc();']);
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(before)).toEqual(new Set(['4.0']));
    expect(after).toEqual([]);
  });

  it('caps the growth at half once a full collection leaves more than 128 MB alive', () => {
    const { before, after } = limitFactors(0, [
      'const kept = [];',
      // About 170 MB that survive.
      keep(2_400_000),
      'globalThis.gc();',
      // The report comes after the collection, in a later turn of the event loop.
      'while (!capped) await new Promise((resolve) => setImmediate(resolve));',
      keep(400_000),
      'globalThis.gc();',
    ]);
    expect(new Set(before)).toEqual(new Set(['4.0']));
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set(['1.5']));
  }, 60_000);
});
