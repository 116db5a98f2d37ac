/**
 * How entries reach the journal and how it is cleared: in one process, straight into its RequestJournal;
 * on replicas, through the shared table as well (shared-journal.ts). Reads go to the RequestJournal in
 * both cases, after `sync`.
 */
import type { JournalEntry } from '../../contracts/admin-schemas.ts';
import type { RequestJournal } from './request-journal.ts';

export interface JournalWriter {
  /**
   * Keeps the entry; a promise when it resolves only once every replica can read it. `bodyText`: the
   * JSON text of its request body as it came, when the entry keeps that body (keptBodyTextOf).
   */
  record(entry: Omit<JournalEntry, 'seq'>, bodyText?: string): void | Promise<void>;
  /** Brings the tenant's journal up to date with other replicas' entries. */
  sync(tenant: string): Promise<void>;
  /** Clears the tenant's journal (on every replica); resolves to how many entries this one held. */
  clear(tenant: string): Promise<number>;
  /** The tenants whose requests any replica journaled (on one process: none beyond its own census). */
  tenants(): Promise<string[]>;
  /** Writes what is pending and lets go of the database. */
  close(): Promise<void>;
}

export function localJournalWriter(journal: RequestJournal): JournalWriter {
  return {
    record: (entry, bodyText) => journal.record(entry, undefined, bodyText),
    sync: () => Promise.resolve(),
    clear: (tenant) => Promise.resolve(journal.clear(tenant)),
    tenants: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}
