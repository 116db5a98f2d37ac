/**
 * What is wrong with a record or a change read back from the store's files, before it reaches the
 * indexes: a line that is valid JSON but not what the store writes (edited by hand, written by another
 * program) must stop the start with its file and line, not crash it with a TypeError.
 */
import { COLLECTIONS, type CollectionName } from './records.ts';

/** The text fields every record of a collection has, which the indexes and look-ups read. */
export const REQUIRED_TEXT: Record<CollectionName, readonly string[]> = {
  calls: ['id', 'tenant', 'vendorCallKey', 'conversationId', 'callCenterApiName'],
  conversations: ['id', 'tenant', 'firstCallId', 'status'],
  transcripts: ['id', 'tenant', 'conversationId', 'messageId'],
  recordings: ['id', 'tenant', 'voiceCallId'],
  routings: ['id', 'tenant', 'voiceCallId'],
  contactRequests: ['id', 'tenant', 'voiceCallId'],
  events: ['id', 'tenant', 'conversationId'],
  numberReservations: ['id', 'tenant'],
};

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCollection = (value: unknown): value is CollectionName =>
  typeof value === 'string' && (COLLECTIONS as readonly string[]).includes(value);

/**
 * The problem with a record of `collection`, or null when it has the shape the store writes. It names
 * nothing but REQUIRED_TEXT and isObject: the snapshot check runs its source in a worker.
 */
export function recordProblem(collection: CollectionName, record: unknown): string | null {
  if (!isObject(record)) return `a ${collection} record must be an object, not ${JSON.stringify(record)}`;
  const fields = REQUIRED_TEXT[collection];
  // A plain loop: this runs for every record at start (300,000 for 100,000 calls).
  for (const field of fields) {
    if (typeof record[field] !== 'string') {
      const missing = fields.filter((name) => typeof record[name] !== 'string');
      return `a ${collection} record without ${missing.join(', ')} as text`;
    }
  }
  if (collection === 'calls' && !Array.isArray(record.participants)) return 'a calls record without its participants';
  return null;
}

/** The problem with a change of the write-ahead log, or null when it has the shape the store writes. */
export function mutationProblem(mutation: unknown): string | null {
  if (!isObject(mutation)) return `a change must be an object, not ${JSON.stringify(mutation)}`;
  switch (mutation.op) {
    case 'put':
      return isCollection(mutation.collection)
        ? recordProblem(mutation.collection, mutation.record)
        : `a put into ${JSON.stringify(mutation.collection)}, which is not a collection`;
    case 'delete':
      return isCollection(mutation.collection) && typeof mutation.id === 'string'
        ? null
        : 'a delete without a collection and an id';
    case 'dropTenant':
      return typeof mutation.tenant === 'string' ? null : 'a dropTenant without its tenant';
    case 'meta':
      return mutation.meta === null || isObject(mutation.meta) ? null : 'a meta change without its meta object';
    default:
      return `an unknown change ${JSON.stringify(mutation.op)}`;
  }
}
