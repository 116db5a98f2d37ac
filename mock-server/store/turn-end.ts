import { afterTurn } from '../time/after-turn.ts';

/**
 * The end of the current turn of the event loop, as one promise shared by everyone who asks during the
 * turn (resolved by setImmediate, after the poll phase has handed over every request that was ready).
 *
 * The in-memory store of `scv-mock start` settles its commits here rather than at once, so that the
 * answers of the requests read in one turn are written together, as the file store's group commit has
 * them written after its one log write. Written one by one, each answer woke the client's sleeping
 * process for itself, and the write that did so cost the mock several times an ordinary write: in
 * memory, creates went a median of 1.09× faster with the answers written together (see the README's
 * Performance section). As with the file store, a request that commits nothing (refused, or a read) is
 * journaled before the writes of its turn.
 *
 * It waits on the setImmediate there was when the mock loaded (time/after-turn.ts). The in-process
 * harness does not settle this way at all (`settleCommitsAfterTurn` is off): fake timers may be
 * installed before the mock is loaded.
 */
export class TurnEnd {
  private current: Promise<void> | null = null;

  wait(): Promise<void> {
    this.current ??= new Promise<void>((resolve) =>
      afterTurn(() => {
        this.current = null;
        resolve();
      }),
    );
    return this.current;
  }
}
