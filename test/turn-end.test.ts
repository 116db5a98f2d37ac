import { describe, expect, it } from 'vitest';
import { TurnEnd } from '../mock-server/store/turn-end.ts';

describe('TurnEnd', () => {
  it('gives everyone who asks in one turn the same promise, settled after the turn', async () => {
    const end = new TurnEnd();
    const order: string[] = [];
    const first = end.wait();
    expect(end.wait()).toBe(first);
    void first.then(() => order.push('turn ended'));
    await Promise.resolve().then(() => order.push('microtask of the turn'));
    expect(order).toEqual(['microtask of the turn']);
    await first;
    expect(order).toEqual(['microtask of the turn', 'turn ended']);
  });

  it('starts a new turn once the last one has ended', async () => {
    const end = new TurnEnd();
    const first = end.wait();
    await first;
    const second = end.wait();
    expect(second).not.toBe(first);
    await expect(second).resolves.toBeUndefined();
  });
});
