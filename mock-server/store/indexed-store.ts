/**
 * What every store answers from memory: the reads over the state index, the stored sizes. Reads are
 * synchronous map lookups; how a write gets committed (locally, or through a log shared by replicas) is
 * the subclass's job.
 */
import type { StoreCounts } from '../../contracts/admin-schemas.ts';
import type { SalesforceIdFactory } from '../ids/salesforce-id.ts';
import type { CollectionName, Mutation } from './records.ts';
import type { StateIndex } from './state-index.ts';
import { StoredBytes } from './stored-bytes.ts';
import type { TelephonyStore, WriteAttempt } from './telephony-store.ts';

const inTenant = <T extends { tenant: string }>(tenant: string, record: T | undefined): T | undefined =>
  record !== undefined && record.tenant === tenant ? record : undefined;

export abstract class IndexedStore implements TelephonyStore {
  abstract readonly kind: TelephonyStore['kind'];
  abstract readonly location: string | null;
  abstract readonly shared: boolean;
  protected readonly bytes: StoredBytes;

  constructor(
    protected readonly state: StateIndex,
    readonly ids: SalesforceIdFactory,
    readonly droppedAtLoad: number,
  ) {
    this.bytes = new StoredBytes(state);
  }

  abstract transact<T>(tenant: string, attempt: () => WriteAttempt<T>): Promise<T>;
  abstract sync(tenant: string): Promise<void>;
  abstract syncAll(): Promise<void>;
  abstract close(): Promise<void>;

  getCall(tenant: string, id: string) {
    return inTenant(tenant, this.state.calls.get(id));
  }

  legsByVendorKey(tenant: string, vendorCallKey: string) {
    return this.state.legsByVendorKey(tenant, vendorCallKey);
  }

  legsOfConversation(tenant: string, conversationId: string) {
    return this.state.calls.find('conversation', conversationId).filter((call) => call.tenant === tenant);
  }

  getConversation(tenant: string, id: string) {
    return inTenant(tenant, this.state.conversations.get(id));
  }

  transcriptsOf(tenant: string, conversationId: string) {
    return this.state.transcripts.find('conversation', conversationId).filter((entry) => entry.tenant === tenant);
  }

  hasMessageId(tenant: string, conversationId: string, messageId: string) {
    return (
      this.getConversation(tenant, conversationId) !== undefined && this.state.hasMessageId(conversationId, messageId)
    );
  }

  recordingOf(tenant: string, voiceCallId: string) {
    return inTenant(tenant, this.state.recordings.find('call', voiceCallId)[0]);
  }

  pendingRoutingOf(tenant: string, voiceCallId: string) {
    return inTenant(tenant, this.state.routings.find('call', voiceCallId)[0]);
  }

  contactRequestsOf(tenant: string, voiceCallId: string) {
    return this.state.contactRequests.find('call', voiceCallId).filter((request) => request.tenant === tenant);
  }

  eventsOf(tenant: string, conversationId: string) {
    return this.state.events.find('conversation', conversationId).filter((event) => event.tenant === tenant);
  }

  numberReservationsOf(tenant: string) {
    return this.state.ofTenant('numberReservations', tenant);
  }

  counts(): StoreCounts {
    const s = this.state;
    return {
      calls: s.calls.size,
      conversations: s.conversations.size,
      transcripts: s.transcripts.size,
      recordings: s.recordings.size,
      routings: s.routings.size,
      contactRequests: s.contactRequests.size,
      events: s.events.size,
      numberReservations: s.numberReservations.size,
    };
  }

  callCount(tenant: string): number {
    return this.state.calls.count('tenant', tenant);
  }

  conversationCount(tenant: string): number {
    return this.state.conversations.count('tenant', tenant);
  }

  conversationsOf(tenant: string) {
    return this.state.ofTenant('conversations', tenant);
  }

  resetTenant(tenant: string): Promise<StoreCounts> {
    return this.transact(tenant, () => ({
      mutations: [{ op: 'dropTenant', tenant }],
      result: this.state.countsOf(tenant),
    }));
  }

  bytesOf(tenant: string): number {
    return this.bytes.of(tenant);
  }

  totalBytes(): number {
    return this.bytes.total();
  }

  sizeChange(mutations: readonly Mutation[]): ReadonlyMap<string, number> {
    return this.bytes.change(mutations);
  }

  tenants(): Set<string> {
    return this.state.tenants();
  }

  hasRecord(collection: CollectionName, id: string): boolean {
    return this.state.has(collection, id);
  }

  entriesOf(collection: 'transcripts' | 'events', conversationId: string): number {
    return this.state.countIn(collection, 'conversation', conversationId);
  }

  /** Applies committed mutations to the state and the sizes. */
  protected applyCommitted(
    mutations: readonly Mutation[],
    change: ReadonlyMap<string, number> = this.bytes.change(mutations),
  ): void {
    this.state.apply(mutations);
    this.bytes.applied(change);
  }
}
