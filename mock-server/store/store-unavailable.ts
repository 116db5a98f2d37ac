/** The store could not make a write durable (a disk or database failure): answered 503, retry later. */
export class StoreUnavailable extends Error {}
