/**
 * The two pieces replicas build on, without a database: a tenant's requests run one at a time and share
 * catch-ups (tenant-lanes.ts), and what one turn of the event loop asks goes out as one batch
 * (turn-batcher.ts).
 */
import { describe, expect, it } from 'vitest';
import { TenantLanes } from '../mock-server/store/tenant-lanes.ts';
import { TurnBatcher } from '../mock-server/store/turn-batcher.ts';

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('TenantLanes', () => {
  it("runs a tenant's work in arrival order, one at a time, while other tenants go on", async () => {
    const lanes = new TenantLanes();
    const order: string[] = [];
    const first = gate();
    const catchUp = () => Promise.resolve();
    const a1 = lanes.run('a', catchUp, async () => {
      order.push('a1 start');
      await first.opened;
      order.push('a1 end');
    });
    const a2 = lanes.run('a', catchUp, () => {
      order.push('a2');
      return Promise.resolve();
    });
    const b1 = lanes.run('b', catchUp, () => {
      order.push('b1');
      return Promise.resolve();
    });
    await b1;
    expect(order).toEqual(['a1 start', 'b1']);
    first.open();
    await Promise.all([a1, a2]);
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(lanes.busy).toBe(0);
  });

  it('one catch-up that started after several requests arrived serves them all; a later arrival needs its own', async () => {
    const lanes = new TenantLanes();
    let catchUps = 0;
    const slow = gate();
    const started = gate();
    const catchUp = async () => {
      catchUps += 1;
      if (catchUps === 1) {
        started.open();
        await slow.opened;
      }
    };
    const noWork = () => Promise.resolve();
    const first = lanes.run('t', catchUp, noWork);
    // Two more arrive while the first catch-up runs: it began before them, so it cannot serve them.
    await started.opened;
    const queued = [lanes.run('t', catchUp, noWork), lanes.run('t', catchUp, noWork)];
    slow.open();
    await Promise.all([first, ...queued]);
    // One more catch-up, begun after both arrived, serves both.
    expect(catchUps).toBe(2);
    await lanes.run('t', catchUp, noWork);
    expect(catchUps).toBe(3);
  });

  it('a failed catch-up fails its request and does not count as done', async () => {
    const lanes = new TenantLanes();
    let calls = 0;
    const catchUp = () => (++calls === 1 ? Promise.reject(new Error('database away')) : Promise.resolve());
    await expect(lanes.run('t', catchUp, () => Promise.resolve('ran'))).rejects.toThrow('database away');
    await expect(lanes.run('t', catchUp, () => Promise.resolve('ran'))).resolves.toBe('ran');
    expect(calls).toBe(2);
  });
});

describe('TurnBatcher', () => {
  it('sends what one turn submitted as one batch, and answers each in its order', async () => {
    const batches: number[][] = [];
    const batcher = new TurnBatcher<number, number>((items) => {
      batches.push([...items]);
      return Promise.resolve(items.map((item) => item * 10));
    });
    const answers = await Promise.all([batcher.submit(1), batcher.submit(2), batcher.submit(3)]);
    expect(answers).toEqual([10, 20, 30]);
    expect(await batcher.submit(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('serial: a batch waits for the one before it; a failed batch fails only its own items', async () => {
    const running: number[] = [];
    let overlap = false;
    const batcher = new TurnBatcher<number, number>(async (items) => {
      if (running.length > 0) overlap = true;
      running.push(items[0]!);
      await new Promise((resolve) => setImmediate(resolve));
      running.pop();
      if (items.includes(13)) throw new Error('bad batch');
      return items;
    }, true);
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const failing = batcher.submit(13);
    await new Promise((resolve) => setImmediate(resolve));
    const third = batcher.submit(3);
    await expect(failing).rejects.toThrow('bad batch');
    expect(await Promise.all([first, third])).toEqual([1, 3]);
    await batcher.drained();
    expect(overlap).toBe(false);
  });
});
