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

describe('the cap, as V8 applies it', () => {
  // V8 prints each new old-generation limit with the factor it used (--trace-gc-verbose).
  const limitFactors = (storeBytes: number): string[] => {
    const module = new URL('../mock-server/cli/heap-growth.ts', import.meta.url).href;
    const script = [
      `import { adaptHeapGrowth } from ${JSON.stringify(module)};`,
      `adaptHeapGrowth(${storeBytes});`,
      'const kept = [];',
      "for (let i = 0; i < 400000; i++) kept.push({ i, text: 'x' + i });",
      'globalThis.gc();',
    ].join('\n');
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--trace-gc-verbose', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(run.status, run.stderr).toBe(0);
    return [...run.stdout.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)/g)].map((match) => match[1]!);
  };

  it('grows the heap by half at most when the store on disk is large, and leaves V8 its own factor otherwise', () => {
    const capped = limitFactors(200 * 2 ** 20);
    expect(capped.length).toBeGreaterThan(0);
    expect(new Set(capped)).toEqual(new Set(['1.5']));
    const own = limitFactors(0);
    expect(own.length).toBeGreaterThan(0);
    expect(own.some((factor) => factor !== '1.5')).toBe(true);
  });
});
