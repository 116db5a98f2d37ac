/**
 * The state transitions of a call, as pure functions from records and a request to new records.
 * Nothing here reads the store or decides whether a transition is allowed (that is the rule table).
 */
import type { CreateVoiceCallRequest, UpdateVoiceCallRequest } from '../../contracts/wire-schemas.ts';
import { KEY_PREFIX, type SalesforceIdFactory } from '../ids/salesforce-id.ts';
import type {
  ConversationRecord,
  Mutation,
  PendingRoutingRecord,
  RecordingRecord,
  RoutingTarget,
  VoiceCallRecord,
} from '../store/records.ts';
import { changed } from '../object-merge.ts';

export interface NewCallInput {
  tenant: string;
  callCenterApiName: string;
  vendorCallKey: string;
  callType: VoiceCallRecord['callType'];
  providerName: string | null;
  createdVia: VoiceCallRecord['createdVia'];
  now: string;
}

function blankCall(id: string, conversationId: string, input: NewCallInput): VoiceCallRecord {
  return {
    id,
    tenant: input.tenant,
    callCenterApiName: input.callCenterApiName,
    vendorCallKey: input.vendorCallKey,
    conversationId,
    callType: input.callType,
    parentVoiceCallId: null,
    previousCallId: null,
    nextCallId: null,
    from: null,
    to: null,
    participants: [],
    callOrigin: null,
    callSubtype: null,
    queue: null,
    ownerId: null,
    callAttributes: null,
    startTime: null,
    endTime: null,
    enqueueTime: null,
    acceptTime: null,
    fromNumber: null,
    agent: null,
    totalHoldDuration: 0,
    longestHoldDuration: null,
    numberOfHolds: 0,
    agentInteractionDuration: 0,
    callDurationInSeconds: null,
    disposition: 'new',
    endedBy: null,
    disconnectReason: null,
    flowExecutedAt: null,
    lastRouting: null,
    providerName: input.providerName,
    createdVia: input.createdVia,
    createdAt: input.now,
    updatedAt: input.now,
    updateCount: 0,
  };
}

function newConversation(id: string, call: VoiceCallRecord, now: string): ConversationRecord {
  return {
    id,
    tenant: call.tenant,
    callCenterApiName: call.callCenterApiName,
    firstCallId: call.id,
    firstVendorCallKey: call.vendorCallKey,
    status: 'open',
    startTime: call.startTime,
    endTime: null,
    closedAt: null,
    createdAt: now,
  };
}

export interface CreateCallInput {
  request: CreateVoiceCallRequest;
  base: NewCallInput;
  /** The transfer parent, when there is one; the new leg joins its conversation. */
  parent: VoiceCallRecord | undefined;
  /** The Salesforce id of the transfer queue when it resolved (it becomes the owner). */
  ownerId: string | null;
  ids: SalesforceIdFactory;
}

/**
 * A created call: the new leg, and either a new conversation or the parent's link to it. A transfer
 * ends the parent leg: it is transferred, and its end time is the new leg's start unless it has one.
 */
export function createCall(input: CreateCallInput): { call: VoiceCallRecord; mutations: Mutation[] } {
  const { request, base, parent, ids } = input;
  const id = ids.next(KEY_PREFIX.VoiceCall);
  const conversationId = parent?.conversationId ?? ids.next(KEY_PREFIX.Conversation);
  const call: VoiceCallRecord = Object.assign(blankCall(id, conversationId, base), {
    parentVoiceCallId: parent?.id ?? null,
    previousCallId: parent?.id ?? null,
    from: request.from,
    to: request.to,
    participants: request.participants.map((p) => ({ participantKey: p.participantKey, type: p.type })),
    callOrigin: request.callOrigin ?? null,
    callSubtype: request.callSubtype ?? 'PSTN',
    queue: request.initiationMethod === 'Transfer' ? (request.queue ?? null) : null,
    ownerId: input.ownerId,
    callAttributes: request.callAttributes ?? null,
    startTime: request.startTime,
  });
  const mutations: Mutation[] = [{ op: 'put', collection: 'calls', record: call }];
  if (parent === undefined) {
    mutations.push({ op: 'put', collection: 'conversations', record: newConversation(conversationId, call, base.now) });
  } else {
    const transferred = changed(parent, {
      nextCallId: id,
      disposition: 'transferred',
      endedBy: parent.endedBy ?? 'transfer',
      endTime: parent.endTime ?? request.startTime,
      updatedAt: base.now,
    });
    mutations.push({ op: 'put', collection: 'calls', record: transferred });
  }
  return { call, mutations };
}

/** A call Salesforce creates itself (outbound, callback, consult), live and in a conversation of its own. */
export function createSalesforceCall(
  base: NewCallInput,
  fields: { from: string | null; to: string | null; startTime: string },
  ids: SalesforceIdFactory,
): { call: VoiceCallRecord; mutations: Mutation[] } {
  const call: VoiceCallRecord = Object.assign(
    blankCall(ids.next(KEY_PREFIX.VoiceCall), ids.next(KEY_PREFIX.Conversation), base),
    fields,
    { callSubtype: 'PSTN' },
  );
  return {
    call,
    mutations: [
      { op: 'put', collection: 'calls', record: call },
      { op: 'put', collection: 'conversations', record: newConversation(call.conversationId, call, base.now) },
    ],
  };
}

/** An update for an unknown CALL_ID: a call (and conversation) to update, keyed by that CALL_ID. */
export function createCallForUpdate(
  base: NewCallInput,
  ids: SalesforceIdFactory,
): { call: VoiceCallRecord; conversation: ConversationRecord } {
  const call = blankCall(ids.next(KEY_PREFIX.VoiceCall), ids.next(KEY_PREFIX.Conversation), base);
  return { call, conversation: newConversation(call.conversationId, call, base.now) };
}

export interface UpdateInput {
  request: UpdateVoiceCallRequest;
  call: VoiceCallRecord;
  conversation: ConversationRecord;
  /** Every leg of the conversation (to complete transferred legs when it closes). */
  legs: readonly VoiceCallRecord[];
  /** Pending routing of every leg of the conversation (cleared when it closes). */
  pendingRoutings: readonly PendingRoutingRecord[];
  recording: RecordingRecord | undefined;
  ids: SalesforceIdFactory;
  now: string;
}

const secondsBetween = (start: string, end: string): number => Math.round((Date.parse(end) - Date.parse(start)) / 1000);

/**
 * Update a Voice Call Record: the recording first (it is written before the other fields, as the docs
 * describe), then the fields, then the isActiveCall semantics: anything but `true` ends the leg, and on
 * the last leg of the chain closes the conversation, clears pending routing and completes the call.
 */
export function applyUpdate(input: UpdateInput): Mutation[] {
  const { request: r, now } = input;
  const mutations: Mutation[] = [];
  const call = changed(input.call, {
    startTime: r.startTime ?? input.call.startTime,
    endTime: r.endTime ?? input.call.endTime,
    enqueueTime: r.enqueueTime ?? input.call.enqueueTime,
    // "" is what the post-call sync sends when no rep ever connected: there is no accept time.
    acceptTime: r.acceptTime === '' ? null : (r.acceptTime ?? input.call.acceptTime),
    fromNumber: r.fromNumber ?? input.call.fromNumber,
    // The post-call sync's toNumber and fromNumber (x-observed) fill a call that has no To or From yet.
    to: input.call.to ?? r.toNumber ?? null,
    from: input.call.from ?? r.fromNumber ?? null,
    callSubtype: input.call.callSubtype ?? r.callSubType ?? null,
    queue: r.queue ?? input.call.queue,
    agent: r.agent ?? input.call.agent,
    callOrigin: r.callOrigin ?? input.call.callOrigin,
    callAttributes: r.callAttributes ?? input.call.callAttributes,
    disconnectReason:
      r.disconnectReason === undefined
        ? input.call.disconnectReason
        : { value: r.disconnectReason.value, isError: r.disconnectReason.isError },
    // Repeat updates overwrite these counters (documented).
    totalHoldDuration: r.totalHoldDuration ?? input.call.totalHoldDuration,
    longestHoldDuration: r.longestHoldDuration ?? input.call.longestHoldDuration,
    numberOfHolds: r.numberOfHolds ?? input.call.numberOfHolds,
    agentInteractionDuration: r.agentInteractionDuration ?? input.call.agentInteractionDuration,
    callDurationInSeconds:
      r.startTime !== undefined && r.endTime !== undefined
        ? secondsBetween(r.startTime, r.endTime)
        : input.call.callDurationInSeconds,
    updatedAt: now,
    updateCount: input.call.updateCount + 1,
  });
  if (call.acceptTime !== null && call.disposition === 'new') call.disposition = 'in-progress';

  if (r.recordingLocation !== undefined) {
    const recording: RecordingRecord = {
      id: input.recording?.id ?? input.ids.next(KEY_PREFIX.VoiceCallRecording),
      tenant: call.tenant,
      voiceCallId: call.id,
      recordingLocation: r.recordingLocation,
      totalRecordingDuration: r.totalRecordingDuration ?? input.recording?.totalRecordingDuration ?? null,
      durationInSeconds: r.totalRecordingDuration ?? call.agentInteractionDuration + call.totalHoldDuration,
      createdAt: input.recording?.createdAt ?? now,
      updatedAt: now,
    };
    mutations.push({ op: 'put', collection: 'recordings', record: recording });
  }

  let conversation = changed(input.conversation, {
    startTime: call.id === input.conversation.firstCallId ? call.startTime : input.conversation.startTime,
    endTime: r.endTime ?? input.conversation.endTime,
  });
  const closesConversation = r.isActiveCall !== true && call.nextCallId === null && conversation.status === 'open';
  if (r.isActiveCall !== true) {
    call.endedBy = 'update';
    if (call.disposition !== 'transferred') call.disposition = 'completed';
    // Documented for isActiveCall false: CustomerHoldDuration and NumberOfHolds "are reset to zero". The
    // same page lets this update set them, and Salesforce's post-call sync sends both in the update that
    // ends the call, so the counters held before are reset and the values this update sends stand.
    call.totalHoldDuration = r.totalHoldDuration ?? 0;
    call.numberOfHolds = r.numberOfHolds ?? 0;
  }
  mutations.push({ op: 'put', collection: 'calls', record: call });

  if (closesConversation) {
    conversation = changed(conversation, { status: 'closed', closedAt: now });
    for (const leg of input.legs) {
      if (leg.id !== call.id && leg.disposition === 'transferred') {
        mutations.push({
          op: 'put',
          collection: 'calls',
          record: changed(leg, { disposition: 'completed', updatedAt: now }),
        });
      }
    }
    for (const routing of input.pendingRoutings)
      mutations.push({ op: 'delete', collection: 'routings', id: routing.id });
  }
  mutations.push({ op: 'put', collection: 'conversations', record: conversation });
  return mutations;
}

/** What a routing puts on the call itself: its owner, and the queue's and rep's names. */
export interface RoutedCallFields {
  ownerId: string | null;
  queue: string | null;
  agent: string | null;
}

/**
 * A new PendingServiceRouting for the call, replacing the one it has. The call records where it went
 * (owner, queue, agent) and the target for a later reroute; omniFlow also marks the flow as run.
 */
export function routeCall(input: {
  call: VoiceCallRecord;
  target: RoutingTarget;
  fields: RoutedCallFields;
  source: PendingRoutingRecord['source'];
  replaces: PendingRoutingRecord | undefined;
  ids: SalesforceIdFactory;
  now: string;
}): Mutation[] {
  const { call, target, now } = input;
  const mutations: Mutation[] = [];
  if (input.replaces !== undefined) mutations.push({ op: 'delete', collection: 'routings', id: input.replaces.id });
  const routing: PendingRoutingRecord = {
    id: input.ids.next(KEY_PREFIX.PendingServiceRouting),
    tenant: call.tenant,
    voiceCallId: call.id,
    source: input.source,
    ...target,
    createdAt: now,
  };
  mutations.push({ op: 'put', collection: 'routings', record: routing });
  mutations.push({
    op: 'put',
    collection: 'calls',
    record: changed(call, {
      ownerId: input.fields.ownerId ?? call.ownerId,
      queue: input.fields.queue ?? call.queue,
      agent: input.fields.agent ?? call.agent,
      lastRouting: target,
      flowExecutedAt: input.source === 'omniFlow' ? now : call.flowExecutedAt,
      updatedAt: now,
    }),
  });
  return mutations;
}

/** Why a callAttributes string is not a JSON object, or null when it is one. */
export function callAttributesProblem(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? null
      : 'it is JSON but not an object';
  } catch (error) {
    return (error as Error).message;
  }
}
