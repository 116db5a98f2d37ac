/** The store could not make a write durable (a disk or database failure): answered 503, retry later. */
export class StoreUnavailable extends Error {}

/** Runs `run`, turning a failure of the database into StoreUnavailable (a 503 that says to retry, not a 500). */
export async function unavailableOnError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof StoreUnavailable ? error : new StoreUnavailable((error as Error).message);
  }
}
