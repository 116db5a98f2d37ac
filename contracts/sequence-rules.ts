/**
 * The sequence rules: one table of (operation × state facts) → a named violation or warning. The server
 * derives the facts of each request from its stored state and asks this table what to do; the contract
 * kit evaluates recorded traffic against the same table. No rule lives anywhere else.
 */
import type { Operation } from './operations.ts';

/**
 * What is known about a request and the call it targets. A rule matches when every fact it names has
 * the value it names; facts a request does not have (undefined) never match.
 */
export interface SequenceFacts {
  /** The conversation of the resolved call. */
  conversation?: 'open' | 'closed';
  /** Whether the resolved call has a PendingServiceRouting. */
  routing?: 'pending' | 'none';
  /** Whether the call was ever routed (omniFlow, routeVoiceCall or reroute). */
  everRouted?: boolean;
  /** Whether omniFlow already ran for the call. */
  flowExecuted?: boolean;
  /** Whether the resolved leg has ended (an update without isActiveCall: true). */
  legEnded?: boolean;
  /** Whether the call's contact center has Unified Routing with Omni-Channel. */
  unifiedRouting?: boolean;
  /** updateVoiceCall: whether {CALL_ID} named an existing call. */
  callExists?: boolean;
  /** updateVoiceCall: the request sets callOrigin Voicemail on a call that is not one yet. */
  setsCallOriginVoicemail?: boolean;
  /** updateVoiceCall: totalHoldDuration or agentInteractionDuration without recordingLocation. */
  holdFieldsWithoutRecording?: boolean;
  /** createVoiceCall: the transfer parent, when initiationMethod is Transfer. */
  transferParent?: 'notTransfer' | 'found' | 'missing';
  /** createVoiceCall: the conversation of the transfer parent. */
  parentConversation?: 'open' | 'closed';
  /** createVoiceCall: a call with this vendorCallKey already exists. */
  vendorCallKeyInUse?: boolean;
  /** {vendorCallKey} paths: what the path key named. */
  pathKey?: 'firstLegKey' | 'laterLegKey' | 'salesforceId';
  /** Transcript message: its messageId is already stored in the conversation (or earlier in the request). */
  duplicateMessageId?: boolean;
  /** Transcript message: its startTime is outside the conversation's start–end window. */
  outsideWindow?: boolean;
  /** Conversation events: sorted ascending by startTime. */
  eventsSorted?: boolean;
  /** Realtime events: a sentiment event has no participant. */
  sentimentWithoutParticipant?: boolean;
  /** omniFlow: the call is a voicemail but the matched phone channel has no voicemail routing. */
  voicemailRoutingMissing?: boolean;
  /** The body has fields the spec does not document. */
  undocumentedFields?: boolean;
  /** callAttributes is a string that does not parse as a JSON object. */
  callAttributesNotJson?: boolean;
}

export const RULE_IDS = [
  'VOICEMAIL_ORIGIN_AFTER_FLOW',
  'HOLD_FIELDS_NEED_RECORDING',
  'UPDATE_CREATES_CALL',
  'UPDATE_AFTER_CLOSE',
  'TRANSFER_PARENT_NOT_FOUND',
  'TRANSFER_FROM_CLOSED_CONVERSATION',
  'DUPLICATE_VENDOR_CALL_KEY',
  'TRANSCRIPT_KEY_IS_SALESFORCE_ID',
  'TRANSCRIPT_KEY_NOT_FIRST_LEG',
  'TRANSCRIPT_CONVERSATION_CLOSED',
  'DUPLICATE_MESSAGE_ID',
  'TRANSCRIPT_OUTSIDE_WINDOW',
  'REALTIME_EVENTS_CONVERSATION_CLOSED',
  'POST_CALL_EVENTS_CONVERSATION_OPEN',
  'EVENTS_NOT_SORTED',
  'SENTIMENT_WITHOUT_PARTICIPANT',
  'OMNIFLOW_ON_CLOSED_CALL',
  'OMNIFLOW_WHILE_ROUTING_PENDING',
  'VOICEMAIL_WITHOUT_VOICEMAIL_ROUTING',
  'CLEAR_ROUTING_WITHOUT_PENDING',
  'UNIFIED_ROUTING_REQUIRED',
  'ROUTE_ON_CLOSED_CALL',
  'REROUTE_WITHOUT_ROUTING',
  'UNDOCUMENTED_FIELD',
  'CALL_ATTRIBUTES_NOT_JSON',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface SequenceRule {
  id: RuleId;
  title: string;
  /** Where the rule comes from in the public docs. */
  source: string;
  operations: readonly Operation[];
  /** `message` rules are checked once per transcript message; `request` rules once per request (or bulk entry). */
  scope: 'request' | 'message';
  when: SequenceFacts;
  /** A violation is refused in strict mode (with `status`); a warning never is. */
  severity: 'violation' | 'warning';
  /** The strict-mode status of a violation: 400 when the request alone is wrong, 409 when the call's state forbids it. */
  status: 400 | 409;
  /**
   * What happens when the request goes through anyway (a warning, or a violation in lenient mode):
   * `apply` performs the operation, `skip` leaves stored state as it was (for a message: the message is not stored).
   */
  otherwise: 'apply' | 'skip';
  /** Says what happened and what the client should do. `{name}` placeholders are filled from the request. */
  message: string;
}

const DOCS = 'https://developer.salesforce.com/docs/atlas.en-us.voice_developer_guide.meta/voice_developer_guide';
const SEED = 'https://developer.salesforce.com/docs/service/voice-pt-dev-guide/guide/voice-pt-voicemail.html';
const TRANSCRIPT_OPS = ['createTranscript', 'createTranscriptsBulk'] as const;
const VENDOR_KEY_OPS = [...TRANSCRIPT_OPS, 'sendRealtimeConversationEvents', 'storePostConversationEvents'] as const;
const EVENT_OPS = ['sendRealtimeConversationEvents', 'storePostConversationEvents'] as const;

export const SEQUENCE_RULES: readonly SequenceRule[] = [
  {
    id: 'VOICEMAIL_ORIGIN_AFTER_FLOW',
    title: "A voicemail's callOrigin must be Voicemail before its flow executes",
    source: `${SEED} (Send Voicemails to Reps: "Make sure that callOrigin is updated to Voicemail before this API call")`,
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { setsCallOriginVoicemail: true, flowExecuted: true },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'The Omni-Channel flow already ran for call {callId} as a live call, so tagging it as a voicemail now cannot change its routing. ' +
      'Set callOrigin to Voicemail (on create, or in an update with isActiveCall: true) before you call omniFlow.',
  },
  {
    id: 'HOLD_FIELDS_NEED_RECORDING',
    title: 'totalHoldDuration and agentInteractionDuration need recordingLocation',
    source: `${DOCS}/voice_rest_voicecalls_update.htm ("If you set this, you must also set recordingLocation")`,
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { holdFieldsWithoutRecording: true },
    severity: 'violation',
    status: 400,
    otherwise: 'apply',
    message: '{holdFields} need recordingLocation in the same update. Send recordingLocation too, or leave them out.',
  },
  {
    id: 'UPDATE_CREATES_CALL',
    title: 'An update for an unknown call creates it',
    source: `${DOCS}/voice_rest_voicecalls_update.htm (abandoned or missed calls, API 50.0+)`,
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { callExists: false },
    severity: 'warning',
    status: 409,
    otherwise: 'apply',
    message:
      'No call has id or vendorCallKey {callKey}, so this update created one (documented for abandoned and missed calls). ' +
      'If you meant to update an existing call, check the id you send.',
  },
  {
    id: 'UPDATE_AFTER_CLOSE',
    title: 'Update a call once, at its end',
    source: `${DOCS}/voice_rest_voicecalls_update.htm ("Call it only once")`,
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { callExists: true, legEnded: true },
    severity: 'warning',
    status: 409,
    otherwise: 'apply',
    message:
      'Call {callId} had already ended. Repeat updates overwrite totalHoldDuration, numberOfHolds and agentInteractionDuration, ' +
      'and cannot reopen the conversation. Send isActiveCall: true on the updates before the last one.',
  },
  {
    id: 'TRANSFER_PARENT_NOT_FOUND',
    title: 'A transfer needs a parentVoiceCallId that exists',
    source: `${DOCS}/voice_rest_voicecalls_create.htm (parentVoiceCallId: "Required when initiationMethod is Transfer")`,
    operations: ['createVoiceCall'],
    scope: 'request',
    when: { transferParent: 'missing' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'parentVoiceCallId {parentKey} names no call in this tenant. Create the parent call first and send its voiceCallId or vendorCallKey.',
  },
  {
    id: 'TRANSFER_FROM_CLOSED_CONVERSATION',
    title: 'A transfer leg needs an open conversation',
    source: `${DOCS}/voice_rest_voicecalls_update.htm (the conversation closes on the leg whose NextCallId is null)`,
    operations: ['createVoiceCall'],
    scope: 'request',
    when: { transferParent: 'found', parentConversation: 'closed' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'The conversation of parent call {parentKey} is closed. Keep the parent open (isActiveCall: true on its updates) until the transfer leg is created.',
  },
  {
    id: 'DUPLICATE_VENDOR_CALL_KEY',
    title: 'A second create with the same vendorCallKey returns the existing call',
    source: 'https://developer.salesforce.com/docs/atlas.en-us.246.0.voice_developer_guide.meta/voice_developer_guide/voice_rest_voicecalls_create.htm',
    operations: ['createVoiceCall'],
    scope: 'request',
    when: { transferParent: 'notTransfer', vendorCallKeyInUse: true },
    severity: 'warning',
    status: 409,
    otherwise: 'skip',
    message:
      'A call with vendorCallKey {vendorCallKey} already exists ({callId}); nothing was created and its id was returned. ' +
      'Create each call once; a transfer leg needs initiationMethod Transfer and parentVoiceCallId.',
  },
  {
    id: 'TRANSCRIPT_KEY_IS_SALESFORCE_ID',
    title: 'Transcripts and events take the vendorCallKey, never a Salesforce id',
    source: `${DOCS}/voice_rest_voicecalls_transcript.htm ("can't be a Salesforce voiceCallId")`,
    operations: VENDOR_KEY_OPS,
    scope: 'request',
    when: { pathKey: 'salesforceId' },
    severity: 'violation',
    status: 400,
    otherwise: 'apply',
    message: '{key} is a Salesforce VoiceCall id. Use the vendorCallKey of the conversation\'s first call instead: {firstLegKey}.',
  },
  {
    id: 'TRANSCRIPT_KEY_NOT_FIRST_LEG',
    title: "Transcripts and events use the first call's vendorCallKey",
    source: `${DOCS}/voice_rest_voicecalls_transcript.htm ("the vendorCallKey of the first VoiceCall")`,
    operations: VENDOR_KEY_OPS,
    scope: 'request',
    when: { pathKey: 'laterLegKey' },
    severity: 'violation',
    status: 400,
    otherwise: 'apply',
    message:
      '{key} is the vendorCallKey of a transfer leg. Use the vendorCallKey of the conversation\'s first call instead: {firstLegKey}.',
  },
  {
    id: 'TRANSCRIPT_CONVERSATION_CLOSED',
    title: 'Transcripts need an open conversation',
    source: `${DOCS}/voice_rest_voicecalls_update.htm (isActiveCall: realtime transcripts are accepted only while it is true)`,
    operations: TRANSCRIPT_OPS,
    scope: 'request',
    when: { conversation: 'closed' },
    severity: 'violation',
    status: 409,
    otherwise: 'skip',
    message:
      'The conversation of {key} is closed, so realtime transcripts are no longer accepted. Send isActiveCall: true on every update ' +
      'until the last one, and post transcripts before the final update.',
  },
  {
    id: 'DUPLICATE_MESSAGE_ID',
    title: 'messageId is unique in a conversation',
    source: `${DOCS}/voice_rest_voicecalls_transcript.htm ("Must be unique within the conversation")`,
    operations: TRANSCRIPT_OPS,
    scope: 'message',
    when: { duplicateMessageId: true },
    severity: 'violation',
    status: 409,
    otherwise: 'skip',
    message: 'messageId {messageId} was already used in this conversation. Give every message its own messageId.',
  },
  {
    id: 'TRANSCRIPT_OUTSIDE_WINDOW',
    title: "A message outside the call's start–end window is dropped",
    source: `${DOCS}/voice_rest_voicecalls_transcript.htm (a message is created only between the conversation's start and end)`,
    operations: TRANSCRIPT_OPS,
    scope: 'message',
    when: { outsideWindow: true },
    severity: 'warning',
    status: 409,
    otherwise: 'skip',
    message:
      'Message {messageId} starts at {messageStart}, outside the conversation window {windowStart} – {windowEnd}, so it was dropped. ' +
      'Send startTime in epoch milliseconds within the call.{unitHint}',
  },
  {
    id: 'REALTIME_EVENTS_CONVERSATION_CLOSED',
    title: 'Realtime events need an open call',
    source: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm (signals during the call)`,
    operations: ['sendRealtimeConversationEvents'],
    scope: 'request',
    when: { conversation: 'closed' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'The conversation of {key} is closed. Send realtime events while the call is active; after it ends, use postConversationEvents.',
  },
  {
    id: 'POST_CALL_EVENTS_CONVERSATION_OPEN',
    title: 'Post-call events need a closed call',
    source: `${DOCS}/voice_rest_post-call_conversation_event.htm ("only after the conversation has closed")`,
    operations: ['storePostConversationEvents'],
    scope: 'request',
    when: { conversation: 'open' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'The conversation of {key} is still open. Close it with a final update (isActiveCall false) before storing post-call events; during the call use realtimeConversationEvents.',
  },
  {
    id: 'EVENTS_NOT_SORTED',
    title: 'Events are sorted by startTime',
    source: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm ("Sorted ascending by startTime")`,
    operations: EVENT_OPS,
    scope: 'request',
    when: { eventsSorted: false },
    severity: 'violation',
    status: 400,
    otherwise: 'apply',
    message: 'events must be sorted ascending by startTime; {unsortedAt}. Sort them before sending.',
  },
  {
    id: 'SENTIMENT_WITHOUT_PARTICIPANT',
    title: 'Sentiment events need a participant',
    source: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm (participant: required for sentiment)`,
    operations: ['sendRealtimeConversationEvents'],
    scope: 'request',
    when: { sentimentWithoutParticipant: true },
    severity: 'violation',
    status: 400,
    otherwise: 'apply',
    message: '{events} of type IntelligenceSignal__Sentiment have no participant. Set participant to AGENT or CUSTOMER.',
  },
  {
    id: 'OMNIFLOW_ON_CLOSED_CALL',
    title: 'omniFlow needs an open call',
    source: `${DOCS}/voice_rest_omniflow_execute.htm (the flow routes a live call or a voicemail before the final update)`,
    operations: ['executeOmniFlow'],
    scope: 'request',
    when: { conversation: 'closed' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'Call {callId} is closed, so there is nothing to route. Execute the flow before the final update (keep isActiveCall: true until then).',
  },
  {
    id: 'OMNIFLOW_WHILE_ROUTING_PENDING',
    title: 'One omniFlow per pending routing',
    source: 'https://developer.salesforce.com/docs/atlas.en-us.voice_pt_developer_guide.meta/voice_pt_developer_guide/voice_pt_omni_flow.htm (the PSR stays until accepted or cleared)',
    operations: ['executeOmniFlow'],
    scope: 'request',
    when: { routing: 'pending' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'Call {callId} already has pending routing ({routingId}). Call clearRouting before executing the flow again.',
  },
  {
    id: 'VOICEMAIL_WITHOUT_VOICEMAIL_ROUTING',
    title: "A voicemail is routed by its channel's voicemail routing",
    source: SEED,
    operations: ['executeOmniFlow'],
    scope: 'request',
    when: { voicemailRoutingMissing: true },
    severity: 'warning',
    status: 409,
    otherwise: 'apply',
    message:
      'Call {callId} is a voicemail, but phone channel {dialedNumber} has no voicemail routing, so its live-call routing was used. Add voicemail routing to the channel in the fixtures.',
  },
  {
    id: 'CLEAR_ROUTING_WITHOUT_PENDING',
    title: 'clearRouting needs pending routing',
    source: `${DOCS}/voice_rest_clear_routing.htm (deletes the call's PendingServiceRouting)`,
    operations: ['clearRouting'],
    scope: 'request',
    when: { routing: 'none' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'Call {callId} has no pending routing to clear (it was never routed, was already cleared, or ended). Call clearRouting only after omniFlow, for a missed, abandoned or declined call.',
  },
  {
    id: 'UNIFIED_ROUTING_REQUIRED',
    title: 'routeVoiceCall, requestCallback and reroute need Unified Routing',
    source: `${DOCS}/voice_rest_route_call.htm ("processed only for contact centers with Unified Routing")`,
    operations: ['routeVoiceCall', 'requestCallback', 'rerouteVoiceCall'],
    scope: 'request',
    when: { unifiedRouting: false },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message:
      'Contact center {callCenter} does not use Unified Routing with Omni-Channel, so this request would not be processed. Use omniFlow, or enable unifiedRouting for the contact center in the fixtures.',
  },
  {
    id: 'ROUTE_ON_CLOSED_CALL',
    title: 'Routing needs an open call',
    source: `${DOCS}/voice_rest_route_call.htm`,
    operations: ['routeVoiceCall', 'rerouteVoiceCall'],
    scope: 'request',
    when: { conversation: 'closed' },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message: 'Call {callId} is closed, so it cannot be routed. Route the call while it is active.',
  },
  {
    id: 'REROUTE_WITHOUT_ROUTING',
    title: 'reroute needs an earlier routing',
    source: `${DOCS}/voice_rest_reroute_call.htm ("when the first routing attempt failed")`,
    operations: ['rerouteVoiceCall'],
    scope: 'request',
    when: { everRouted: false },
    severity: 'violation',
    status: 409,
    otherwise: 'apply',
    message: 'Call {callId} was never routed, so there is nothing to reroute. Route it first (routeVoiceCall or omniFlow).',
  },
  {
    id: 'UNDOCUMENTED_FIELD',
    title: 'Fields the docs do not define are ignored',
    source: 'openapi.yaml (each operation lists every documented field)',
    operations: ['createVoiceCall', 'updateVoiceCall', 'createTranscript', 'createTranscriptsBulk', 'executeOmniFlow', 'routeVoiceCall', 'requestCallback', 'sendRealtimeConversationEvents', 'storePostConversationEvents'],
    scope: 'request',
    when: { undocumentedFields: true },
    severity: 'warning',
    status: 400,
    otherwise: 'apply',
    message: 'Undocumented field(s) {fields}: the real service may ignore or reject them.{aliasHint}',
  },
  {
    id: 'CALL_ATTRIBUTES_NOT_JSON',
    title: 'callAttributes is a JSON-encoded object',
    source: `${DOCS}/voice_rest_voicecalls_create.htm (callAttributes: a JSON string of field values)`,
    operations: ['createVoiceCall', 'updateVoiceCall'],
    scope: 'request',
    when: { callAttributesNotJson: true },
    severity: 'warning',
    status: 400,
    otherwise: 'apply',
    message:
      'callAttributes does not parse as a JSON object ({parseProblem}). Build it with JSON.stringify({"Field__c": "value"}).',
  },
];

export const RULES_BY_ID: ReadonlyMap<RuleId, SequenceRule> = new Map(SEQUENCE_RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: RuleId): SequenceRule {
  const rule = RULES_BY_ID.get(id);
  if (rule === undefined) throw new Error(`unknown rule ${id}`);
  return rule;
}

/** Values for a rule message's `{placeholders}`. */
export type RuleVars = Readonly<Record<string, string | number | undefined>>;

export interface RuleHit {
  rule: SequenceRule;
  message: string;
}

function matches(when: SequenceFacts, facts: SequenceFacts): boolean {
  for (const [name, expected] of Object.entries(when)) {
    if (facts[name as keyof SequenceFacts] !== expected) return false;
  }
  return true;
}

export function renderRuleMessage(rule: SequenceRule, vars: RuleVars): string {
  return rule.message.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    return value === undefined ? '' : String(value);
  });
}

/** The rules that judge this operation at this scope, in table order. */
export function rulesFor(operation: Operation, scope: SequenceRule['scope']): SequenceRule[] {
  return SEQUENCE_RULES.filter((rule) => rule.scope === scope && rule.operations.includes(operation));
}

/** The rules of this operation and scope whose facts match, in table order. */
export function matchRules(
  operation: Operation,
  scope: SequenceRule['scope'],
  facts: SequenceFacts,
  vars: RuleVars = {},
): RuleHit[] {
  return rulesFor(operation, scope)
    .filter((rule) => matches(rule.when, facts))
    .map((rule) => ({ rule, message: renderRuleMessage(rule, vars) }));
}

export type RuleMode = 'strict' | 'lenient';

export interface RuleDecision {
  /** Set when strict mode refuses the request: the violations, first one decides the status. */
  rejected?: { status: 400 | 409; violations: RuleHit[] };
  /** Hits that let the request through (warnings, and violations in lenient mode). */
  warnings: RuleHit[];
  /** True when a hit that let the request through says to leave state as it was. */
  skip: boolean;
}

/** What a mode does with a set of hits. */
export function decide(hits: readonly RuleHit[], mode: RuleMode): RuleDecision {
  const violations = hits.filter((hit) => hit.rule.severity === 'violation');
  if (mode === 'strict' && violations.length > 0) {
    return { rejected: { status: violations[0]!.rule.status, violations }, warnings: [], skip: true };
  }
  return { warnings: [...hits], skip: hits.some((hit) => hit.rule.otherwise === 'skip') };
}
