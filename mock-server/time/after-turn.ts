/**
 * setImmediate as it was when the mock was loaded. A test suite that fakes timers after importing the
 * mock (vi.useFakeTimers, jest.useFakeTimers, sinon) replaces the global one, and callbacks queued on
 * the fake run only when the test moves its clock (or never, once it restores the real timers). The
 * mock's own turns of the event loop must go on regardless: its background loading (which close() waits
 * for), the file store's group commit and the in-memory store's turn end (which writes wait for).
 */
export const afterTurn: typeof setImmediate = setImmediate;
