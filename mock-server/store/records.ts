/**
 * The records the mock stores: the Salesforce objects a telephony connector's requests create. Field
 * names follow the API (camelCase); the README maps them to the Salesforce objects.
 */
import type {
  CallDisposition,
  CallOrigin,
  DisconnectReason,
  Participant,
  PostCallEvent,
  RealtimeEvent,
} from '../../contracts/wire-schemas.ts';

/**
 * The calls Salesforce creates itself (outbound from the softphone, callbacks, consults); the API cannot create them.
 */
export type SalesforceCreatedCallType = 'Outbound' | 'Callback' | 'Consult';

/** Every record belongs to one tenant and has a Salesforce-style 18-character id. */
export interface TenantRecord {
  id: string;
  tenant: string;
}

export interface VoiceCallRecord extends TenantRecord {
  callCenterApiName: string;
  vendorCallKey: string;
  conversationId: string;
  /**
   * Outbound, Callback and Consult calls are the ones Salesforce creates itself (made here with POST /__admin/calls).
   */
  callType: 'Inbound' | 'Transfer' | SalesforceCreatedCallType;
  parentVoiceCallId: string | null;
  previousCallId: string | null;
  nextCallId: string | null;
  from: string | null;
  to: string | null;
  participants: Participant[];
  callOrigin: CallOrigin | null;
  callSubtype: string | null;
  /**
   * The servicing queue: as a transfer create or an update sent it, or the developer name of the queue
   * routing picked. The owner is the Salesforce id of the queue (or rep) the call was routed to, or of
   * the queue a transfer create named.
   */
  queue: string | null;
  ownerId: string | null;
  callAttributes: string | null;
  startTime: string | null;
  endTime: string | null;
  enqueueTime: string | null;
  acceptTime: string | null;
  fromNumber: string | null;
  /** The rep's username: as an update sent it, or the rep routing picked. */
  agent: string | null;
  totalHoldDuration: number;
  longestHoldDuration: number | null;
  numberOfHolds: number;
  agentInteractionDuration: number;
  callDurationInSeconds: number | null;
  disposition: CallDisposition;
  /**
   * What ended the leg: an update without isActiveCall: true, or a transfer to a new leg; null while
   * the leg is live.
   */
  endedBy: 'update' | 'transfer' | null;
  disconnectReason: DisconnectReason | null;
  flowExecutedAt: string | null;
  /** The target of the latest routing, kept for reroute after the PendingServiceRouting is gone. */
  lastRouting: RoutingTarget | null;
  providerName: string | null;
  createdVia: 'create' | 'update' | 'admin';
  createdAt: string;
  updatedAt: string;
  updateCount: number;
}

export interface ConversationRecord extends TenantRecord {
  callCenterApiName: string;
  firstCallId: string;
  firstVendorCallKey: string;
  status: 'open' | 'closed';
  /** ISO start of the first leg; the transcript window opens here. */
  startTime: string | null;
  /** ISO end sent by an update; the transcript window closes here once known. */
  endTime: string | null;
  closedAt: string | null;
  createdAt: string;
}

export interface TranscriptEntryRecord extends TenantRecord {
  conversationId: string;
  messageId: string;
  participantId: string;
  senderType: string;
  content: string;
  startTime: number;
  endTime: number;
  receivedAt: string;
}

export interface RecordingRecord extends TenantRecord {
  voiceCallId: string;
  recordingLocation: string;
  totalRecordingDuration: number | null;
  /**
   * totalRecordingDuration when sent, else agentInteractionDuration + totalHoldDuration (the VoiceCallRecording rule).
   */
  durationInSeconds: number;
  createdAt: string;
  updatedAt: string;
}

/** What a routing sent the call to: Salesforce ids plus the routing map's external ids. */
export interface RoutingTarget {
  flowDevName: string | null;
  queueId: string | null;
  repId: string | null;
  agent: string | null;
  queue: string | null;
}

export interface PendingRoutingRecord extends TenantRecord, RoutingTarget {
  voiceCallId: string;
  source: 'omniFlow' | 'routeVoiceCall' | 'reroute';
  createdAt: string;
}

export interface ContactRequestRecord extends TenantRecord {
  voiceCallId: string;
  callbackNumber: string;
  preferredChannel: 'Phone';
  status: 'New';
  /** A preview callback (the rep sees it before the call is placed); false unless the request said so. */
  isPreviewCallback: boolean;
  /** When a scheduled callback is to be routed; null routes it now. */
  scheduledRoutingDateTime: string | null;
  /** The vendorCallKey the request body named, if any (the docs' sample sends it). */
  vendorCallKey: string | null;
  createdAt: string;
}

export interface ConversationEventRecord extends TenantRecord {
  conversationId: string;
  kind: 'realtime' | 'postCall';
  service: string;
  persist: boolean | null;
  events: Array<RealtimeEvent | PostCallEvent>;
  receivedAt: string;
}

/**
 * A reservation of a number of the Agentforce Voice pool (reserveRoutableNumber); the number is free again after
 * expiresAt.
 */
export interface NumberReservationRecord extends TenantRecord {
  routableNumber: string;
  countryCode: string;
  /** The handle's uid, as the response gives it. */
  uid: string;
  fromNumber: string;
  callId: string | null;
  transactionId: string | null;
  expiresAt: string;
  createdAt: string;
}

export interface RecordsByCollection {
  calls: VoiceCallRecord;
  conversations: ConversationRecord;
  transcripts: TranscriptEntryRecord;
  recordings: RecordingRecord;
  routings: PendingRoutingRecord;
  contactRequests: ContactRequestRecord;
  events: ConversationEventRecord;
  numberReservations: NumberReservationRecord;
}
export type CollectionName = keyof RecordsByCollection;
export const COLLECTIONS = [
  'calls',
  'conversations',
  'transcripts',
  'recordings',
  'routings',
  'contactRequests',
  'events',
  'numberReservations',
] as const satisfies readonly CollectionName[];

/** The id generator's state, stored so ids stay deterministic and unique across restarts. */
export interface StoreMeta {
  idSeed: string;
  idsIssued: number;
}

export type Mutation =
  | { [C in CollectionName]: { op: 'put'; collection: C; record: RecordsByCollection[C] } }[CollectionName]
  | { op: 'delete'; collection: CollectionName; id: string }
  /** Every record of a tenant, in one small log entry. */
  | { op: 'dropTenant'; tenant: string }
  | { op: 'meta'; meta: StoreMeta };

/** Everything the store holds, as lowdb writes it to the snapshot file. */
export type SnapshotData = {
  format: typeof SNAPSHOT_FORMAT;
  /** The last write-ahead-log sequence number the snapshot contains. */
  seq: number;
  meta: StoreMeta | null;
} & { [C in CollectionName]: Array<RecordsByCollection[C]> };

export const SNAPSHOT_FORMAT = 'scv-telephony-mock/store@1';

/** A call record as older stores wrote it: `ended` instead of `endedBy`, `ownerQueueId` instead of `ownerId`. */
interface LegacyCallFields {
  ended?: boolean;
  ownerQueueId?: string | null;
}

/**
 * Brings a ContactRequest read from an older store file (before preview and scheduled callbacks) to the current shape.
 */
export function upgradeContactRequestRecord(request: ContactRequestRecord): void {
  const older = request as Partial<
    Pick<ContactRequestRecord, 'isPreviewCallback' | 'scheduledRoutingDateTime' | 'vendorCallKey'>
  >;
  older.isPreviewCallback ??= false;
  older.scheduledRoutingDateTime ??= null;
  older.vendorCallKey ??= null;
}

/** Brings a call record read from an older store file to the current shape (in place). */
export function upgradeCallRecord(call: VoiceCallRecord): void {
  const legacy = call as VoiceCallRecord & LegacyCallFields;
  if (legacy.endedBy === undefined) legacy.endedBy = legacy.ended === true ? 'update' : null;
  if (legacy.ownerId === undefined) legacy.ownerId = legacy.ownerQueueId ?? null;
  delete legacy.ended;
  delete legacy.ownerQueueId;
}
