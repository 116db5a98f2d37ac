/**
 * The sequence rules: one table of (operation × state facts) → a named violation or warning. The server
 * derives the facts of each request from its stored state and asks this table what to do; the contract
 * kit evaluates recorded traffic against the same table. No rule lives anywhere else.
 */
import { OPERATIONS_WITH_BODY_FIELDS, type Operation } from './operations.ts';

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
  /** The call has pending routing that omniFlow made (before the call was a voicemail). */
  flowRoutingPending?: boolean;
  /**
   * An earlier update (without isActiveCall: true) already ended the resolved leg; a transfer ending it does not count.
   */
  legClosedByUpdate?: boolean;
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
  /** Conversation events: a startTime or endTime looks like epoch seconds, not milliseconds. */
  eventTimesInSeconds?: boolean;
  /** A sentiment value outside -1000..1000 (or not a number), or a score outside 0..1000. */
  sentimentOutOfRange?: boolean;
  /** reserveRoutableNumber: the country is not one the page lists. */
  countryNotListed?: boolean;
  /** Realtime events: a sentiment event has no participant. */
  sentimentWithoutParticipant?: boolean;
  /** omniFlow: the call is a voicemail but the matched phone channel has no voicemail routing. */
  voicemailRoutingMissing?: boolean;
  /** The body has fields the spec does not document. */
  undocumentedFields?: boolean;
  /** callAttributes is a string that does not parse as a JSON object. */
  callAttributesNotJson?: boolean;
  /** Bulk transcripts: this entry has more messages, or the request more entries, than the page's limit of 5. */
  bulkOverLimit?: boolean;
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
  'BULK_TRANSCRIPT_LIMITS',
  'REALTIME_EVENTS_CONVERSATION_CLOSED',
  'POST_CALL_EVENTS_CONVERSATION_OPEN',
  'EVENTS_NOT_SORTED',
  'EVENT_TIME_IN_SECONDS',
  'SENTIMENT_WITHOUT_PARTICIPANT',
  'SENTIMENT_SCORE_OUT_OF_RANGE',
  'OMNIFLOW_ON_CLOSED_CALL',
  'OMNIFLOW_WHILE_ROUTING_PENDING',
  'VOICEMAIL_WITHOUT_VOICEMAIL_ROUTING',
  'CLEAR_ROUTING_WITHOUT_PENDING',
  'UNIFIED_ROUTING_REQUIRED',
  'ROUTE_ON_CLOSED_CALL',
  'REROUTE_WITHOUT_ROUTING',
  'UNDOCUMENTED_FIELD',
  'CALL_ATTRIBUTES_NOT_JSON',
  'RESERVE_COUNTRY_NOT_LISTED',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * How the rule is known: stated on a Salesforce page, shown by Salesforce's own published code or samples, or our
 * inference.
 */
export const EVIDENCE_GRADES = ['documented', 'observed', 'inferred'] as const;
export type EvidenceGrade = (typeof EVIDENCE_GRADES)[number];

export interface RuleEvidence {
  grade: EvidenceGrade;
  /** The page (documented), the published code or sample (observed), or what the inference rests on. */
  url: string;
  /** documented: the page's own words, verbatim. */
  quote?: string;
  /** Salesforce's own published code or samples send what the rule would refuse: evidence that the service takes it. */
  contradictedBy?: { url: string; what: string };
  /** Anything a reader should know about the evidence: an older page that said more, a gap. */
  note?: string;
}

/**
 * requirement: something asked of the client (by the docs, or by our reading of them); behaviour: what the
 * docs say the service itself does with such a request (drops it, creates a call, returns the existing one).
 */
export type RuleKind = 'requirement' | 'behaviour';

/** What a rule does when it matches: refuse the request (strict mode), let it through with a warning, or nothing. */
export const RULE_LEVELS = ['refuse', 'warn', 'off'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

export interface SequenceRule {
  id: RuleId;
  title: string;
  kind: RuleKind;
  evidence: RuleEvidence;
  operations: readonly Operation[];
  /** `message` rules are checked once per transcript message; `request` rules once per request (or bulk entry). */
  scope: 'request' | 'message';
  when: SequenceFacts;
  /** The status of a refusal: 400 when the request alone is wrong, 409 when the call's state forbids it. */
  status: 400 | 409;
  /**
   * What happens when the request goes through (a warning, or a violation in lenient mode): `apply`
   * performs the operation, `skip` leaves stored state as it was (for a message: the message is not
   * stored). A behaviour rule's effect is what the service does, so it holds even when the rule is off.
   */
  effect: 'apply' | 'skip';
  /**
   * Says what is wrong and what the client should do. `{name}` placeholders are filled from the request;
   * `{outcome}` holds `letThrough` when the request went through, and nothing when it was refused.
   */
  message: string;
  /** What the mock did with the request when it let it through, in one sentence. */
  letThrough: string;
}

/**
 * The level a rule has unless a run sets another: a requirement the docs state, that no published
 * Salesforce code contradicts, is refused; everything else (behaviour the docs describe, requirements
 * Salesforce's own code breaks, our inferences) is a warning.
 */
export function defaultLevel(rule: SequenceRule): Exclude<RuleLevel, 'off'> {
  return rule.kind === 'requirement' &&
    rule.evidence.grade === 'documented' &&
    rule.evidence.contradictedBy === undefined
    ? 'refuse'
    : 'warn';
}

const DOCS = 'https://developer.salesforce.com/docs/atlas.en-us.voice_developer_guide.meta/voice_developer_guide';
const SEED = 'https://developer.salesforce.com/docs/service/voice-pt-dev-guide/guide/voice-pt-voicemail.html';
const LAMBDAS = 'https://github.com/service-cloud-voice/ServiceCloudVoiceLambdas/blob/master';
const TRANSCRIPT_OPS = ['createTranscript', 'createTranscriptsBulk'] as const;
const VENDOR_KEY_OPS = [...TRANSCRIPT_OPS, 'sendRealtimeConversationEvents', 'storePostConversationEvents'] as const;
const EVENT_OPS = ['sendRealtimeConversationEvents', 'storePostConversationEvents'] as const;

export const SEQUENCE_RULES: readonly SequenceRule[] = [
  {
    id: 'VOICEMAIL_ORIGIN_AFTER_FLOW',
    title: "A voicemail's callOrigin must be Voicemail before its flow executes",
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: SEED,
      quote:
        'Make sure that callOrigin is updated to "Voicemail" before this API call so that the flow picks the voicemail routing instructions.',
      note:
        "Salesforce's own voicemail path (the Amazon Connect voicemail subflow and voiceMailPackaging Lambda) routes the call as a live call first, " +
        'clears that routing, then tags the call as a voicemail and executes the flow again; so the rule refuses the tag only while the live-call routing is still pending.',
    },
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { setsCallOriginVoicemail: true, flowRoutingPending: true },
    status: 409,
    effect: 'apply',
    message:
      'The Omni-Channel flow already routed call {callId} as a live call and that routing ({routingId}) is still pending, so tagging it as a voicemail now cannot change its routing.{outcome} ' +
      'Set callOrigin to Voicemail (on create, or in an update with isActiveCall: true) before you call omniFlow, or clear the routing (clearRouting) and execute the flow again after tagging.',
    letThrough: "The call was tagged; its routing is still the live call's.",
  },
  {
    id: 'HOLD_FIELDS_NEED_RECORDING',
    title: 'totalHoldDuration and agentInteractionDuration need recordingLocation',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_update.htm`,
      quote: 'If you set this value, you must also set the recording location (recordingLocation).',
      contradictedBy: {
        url: `${LAMBDAS}/ctrDataSync/utils.js`,
        what: 'the post-call sync sends totalHoldDuration and agentInteractionDuration whenever an agent was on the call, and recordingLocation only when a recording exists',
      },
    },
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { holdFieldsWithoutRecording: true },
    status: 400,
    effect: 'apply',
    message:
      '{holdFields} came without recordingLocation; the docs ask for it in the same update.{outcome} Send recordingLocation too when the call has a recording.',
    letThrough: 'The values were stored on the call, and no recording was made.',
  },
  {
    id: 'UPDATE_CREATES_CALL',
    title: 'An update for an unknown call creates it',
    kind: 'behaviour',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_update.htm`,
      quote: 'This endpoint can also be used to create a voice call even after the call has ended.',
    },
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { callExists: false },
    status: 409,
    effect: 'apply',
    message:
      'No call has id or vendorCallKey {callKey}; an update for an unknown call creates it (documented for abandoned and missed calls).{outcome} ' +
      'If you meant to update an existing call, check the id you send.',
    letThrough: 'This update created it.',
  },
  {
    id: 'UPDATE_AFTER_CLOSE',
    title: 'Update a call once, at its end',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_update.htm`,
      quote: 'Don’t run this API call more than one time.',
      contradictedBy: {
        url: `${LAMBDAS}/voiceMailPackaging/handler.js`,
        what: 'the voicemail packager updates a call twice by design (isActiveCall: true with callOrigin Voicemail, then the closing update)',
      },
      note: 'The page goes on to say what a repeat does: it overwrites totalHoldDuration, numberOfHolds and agentInteractionDuration. The rule fires only on an update after the final one.',
    },
    operations: ['updateVoiceCall'],
    scope: 'request',
    when: { callExists: true, legClosedByUpdate: true },
    status: 409,
    effect: 'apply',
    message:
      'Call {callId} had already been ended by an earlier update. Repeat updates overwrite totalHoldDuration, numberOfHolds and agentInteractionDuration, ' +
      'and cannot reopen the conversation.{outcome} Send isActiveCall: true on the updates before the last one.',
    letThrough: 'The update was applied.',
  },
  {
    id: 'TRANSFER_PARENT_NOT_FOUND',
    title: 'A transfer needs a parentVoiceCallId that exists',
    kind: 'requirement',
    evidence: {
      grade: 'inferred',
      url: `${DOCS}/voice_rest_voicecalls_create.htm`,
      quote: 'If initiationMethod is set to Transfer, parentVoiceCallId must also be set.',
      note: 'The page requires the field; that it must name an existing call, and what the service does when it does not, is our inference.',
    },
    operations: ['createVoiceCall'],
    scope: 'request',
    when: { transferParent: 'missing' },
    status: 409,
    effect: 'apply',
    message:
      'parentVoiceCallId {parentKey} names no call in this tenant.{outcome} Create the parent call first and send its voiceCallId or vendorCallKey.',
    letThrough: 'The transfer leg was created without a parent, in a conversation of its own.',
  },
  {
    id: 'TRANSFER_FROM_CLOSED_CONVERSATION',
    title: 'A transfer leg needs an open conversation',
    kind: 'requirement',
    evidence: {
      grade: 'observed',
      url: 'https://developer.salesforce.com/docs/service/voice-pt-dev-guide/guide/voice-pt-transfer-calls-omni-channel-flow.html',
      note: "Salesforce's samples and Lambdas create the transfer leg while the parent call is live; no page says what happens after the parent's conversation closed.",
    },
    operations: ['createVoiceCall'],
    scope: 'request',
    when: { transferParent: 'found', parentConversation: 'closed' },
    status: 409,
    effect: 'apply',
    message:
      'The conversation of parent call {parentKey} is closed.{outcome} Keep the parent open (isActiveCall: true on its updates) until the transfer leg is created.',
    letThrough: 'The leg was created in the closed conversation.',
  },
  {
    id: 'DUPLICATE_VENDOR_CALL_KEY',
    title: 'A second create with the same vendorCallKey returns the existing call',
    kind: 'behaviour',
    evidence: {
      grade: 'documented',
      url: 'https://developer.salesforce.com/docs/atlas.en-us.236.0.voice_developer_guide.meta/voice_developer_guide/voice_rest_voicecalls_create.htm',
      quote: 'If another voice call record with the same vendor call key already exists',
      note:
        'The 236.0 page goes on to say that no new record is created. The current page only says that a vendorCallKey "can be associated with multiple VoiceCall records" (transfer legs), ' +
        'and says nothing of a second non-transfer create.',
    },
    operations: ['createVoiceCall'],
    scope: 'request',
    when: { transferParent: 'notTransfer', vendorCallKeyInUse: true },
    status: 409,
    effect: 'skip',
    message:
      'A call with vendorCallKey {vendorCallKey} already exists ({callId}).{outcome} ' +
      'Create each call once; a transfer leg needs initiationMethod Transfer and parentVoiceCallId.',
    letThrough: 'Nothing was created and its id was returned.',
  },
  {
    id: 'TRANSCRIPT_KEY_IS_SALESFORCE_ID',
    title: 'Transcripts and events take the vendorCallKey, never a Salesforce id',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm`,
      quote: "This value can't be a Salesforce voiceCallId.",
      note: 'The same sentence is on the post-call event page; the 226.0 transcript page says "This value cannot be a Salesforce voiceCallId."',
    },
    operations: VENDOR_KEY_OPS,
    scope: 'request',
    when: { pathKey: 'salesforceId' },
    status: 400,
    effect: 'apply',
    message:
      "{key} is a Salesforce VoiceCall id.{outcome} Use the vendorCallKey of the conversation's first call instead: {firstLegKey}.",
    letThrough: "It was taken for that call's conversation.",
  },
  {
    id: 'TRANSCRIPT_KEY_NOT_FIRST_LEG',
    title: "Transcripts and events use the first call's vendorCallKey",
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: 'https://developer.salesforce.com/docs/service/voice-pt-dev-guide/guide/voice-pt-transcribe-calls.html',
      quote: 'When specifying the vendorCallKey for a transferred call, use the vendorCallKey of the parentVoiceCall.',
      contradictedBy: {
        url: `${LAMBDAS}/contactLensProcessor/handler.js`,
        what: "the Contact Lens Lambdas send a transfer leg's transcripts and events under that leg's own contact id",
      },
    },
    operations: VENDOR_KEY_OPS,
    scope: 'request',
    when: { pathKey: 'laterLegKey' },
    status: 400,
    effect: 'apply',
    message:
      "{key} is the vendorCallKey of a transfer leg.{outcome} The docs ask for the vendorCallKey of the conversation's first call: {firstLegKey}.",
    letThrough: "It was taken for the leg's conversation.",
  },
  {
    id: 'TRANSCRIPT_CONVERSATION_CLOSED',
    title: 'Transcripts for a closed conversation are not created',
    kind: 'behaviour',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_update.htm`,
      quote:
        'any real-time transcription messages sent through the POST /telephony/v1/voiceCalls/{vendorCallKey}/messages API will continue to be accepted',
      note:
        'Said of isActiveCall: true. The 226.0 transcript page: "If the call has ended, you can no longer create transcripts"; the current page points to the Connect API after the call. ' +
        'No page says the request is refused, so the mock accepts it and stores nothing.',
    },
    operations: TRANSCRIPT_OPS,
    scope: 'request',
    when: { conversation: 'closed' },
    status: 409,
    effect: 'skip',
    message:
      'The conversation of {key} is closed, and realtime transcripts are accepted only while the call is active.{outcome} Send isActiveCall: true on every update ' +
      'until the last one and post transcripts before the final update; after the call, use the Connect API.',
    letThrough: 'These messages were not stored.',
  },
  {
    id: 'DUPLICATE_MESSAGE_ID',
    title: 'messageId is unique in a conversation',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_transcript_bulk.htm`,
      quote: 'This value has to be unique for the given conversation.',
    },
    operations: TRANSCRIPT_OPS,
    scope: 'message',
    when: { duplicateMessageId: true },
    status: 409,
    effect: 'skip',
    message:
      'messageId {messageId} was already used in this conversation.{outcome} Give every message its own messageId.',
    letThrough: 'The message was not stored again.',
  },
  {
    id: 'TRANSCRIPT_OUTSIDE_WINDOW',
    title: "A message outside the call's start–end window is not created",
    kind: 'behaviour',
    evidence: {
      grade: 'documented',
      url: 'https://developer.salesforce.com/docs/service/voice-dev-guide/guide/voice-rest-voicecalls-transcript.html',
      quote:
        'Both APIs create voice call transcripts if the timestamp of the transcript is between the start and end times of the conversation.',
    },
    operations: TRANSCRIPT_OPS,
    scope: 'message',
    when: { outsideWindow: true },
    status: 409,
    effect: 'skip',
    message:
      'Message {messageId} starts at {messageStart}, outside the conversation window {windowStart} – {windowEnd}.{outcome} ' +
      'Send startTime in epoch milliseconds within the call.{unitHint}',
    letThrough: 'It was not stored.',
  },
  {
    id: 'BULK_TRANSCRIPT_LIMITS',
    title: 'Bulk transcripts: up to 5 calls a request, 5 messages a call',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_transcript_bulk.htm`,
      quote:
        'This Create Transcripts in Bulk API lets you create transcripts for up to 5 different voice calls at a time.',
      note: 'The page goes on to allow up to 5 messages for each voice call.',
      contradictedBy: {
        url: `${LAMBDAS}/contactLensProcessor/handler.js`,
        what: 'the Contact Lens Lambda puts every utterance of a contact in the batch into one entry, with no cap at 5 messages',
      },
    },
    operations: ['createTranscriptsBulk'],
    scope: 'request',
    when: { bulkOverLimit: true },
    status: 400,
    effect: 'apply',
    message:
      '{limitProblem}; the docs allow up to 5 calls a request and 5 messages a call.{outcome} Split larger batches to stay within the documented limits.',
    letThrough: 'All were taken.',
  },
  {
    id: 'REALTIME_EVENTS_CONVERSATION_CLOSED',
    title: 'Realtime events belong to an open call',
    kind: 'requirement',
    evidence: {
      grade: 'inferred',
      url: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm`,
      note: 'Inferred from the name and purpose (signals for the rep console during the call); no page restricts it.',
    },
    operations: ['sendRealtimeConversationEvents'],
    scope: 'request',
    when: { conversation: 'closed' },
    status: 409,
    effect: 'apply',
    message:
      'The conversation of {key} is closed; realtime events are meant for the rep during the call.{outcome} After the call ends, use postConversationEvents.',
    letThrough: 'The events were stored.',
  },
  {
    id: 'POST_CALL_EVENTS_CONVERSATION_OPEN',
    title: 'Post-call events need a closed call',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_post-call_conversation_event.htm`,
      quote: 'This API should only be invoked after a conversation closes.',
    },
    operations: ['storePostConversationEvents'],
    scope: 'request',
    when: { conversation: 'open' },
    status: 409,
    effect: 'apply',
    message:
      'The conversation of {key} is still open.{outcome} Close it with a final update (isActiveCall false) before storing post-call events; during the call use realtimeConversationEvents.',
    letThrough: 'The events were stored.',
  },
  {
    id: 'EVENTS_NOT_SORTED',
    title: 'Events are sorted by startTime',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm`,
      quote: 'Events must be sorted in chronological ascending order by startTime.',
      note: "Equal startTimes are in order: Salesforce's post-call Lambda sends several events with the same startTime.",
    },
    operations: EVENT_OPS,
    scope: 'request',
    when: { eventsSorted: false },
    status: 400,
    effect: 'apply',
    message: 'events must be sorted ascending by startTime; {unsortedAt}.{outcome} Sort them before sending.',
    letThrough: 'They were stored as sent.',
  },
  {
    id: 'EVENT_TIME_IN_SECONDS',
    title: 'Event times are epoch milliseconds',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm`,
      quote: 'The date and time (in UTC) when this event started. Measured in milliseconds since the Unix epoch.',
      contradictedBy: {
        url: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm`,
        what: "the page's own example sends startTime 1573503300, a time in seconds (the post-call page's example too)",
      },
    },
    operations: EVENT_OPS,
    scope: 'request',
    when: { eventTimesInSeconds: true },
    status: 400,
    effect: 'apply',
    message:
      '{secondsAt} looks like epoch seconds ({asSeconds}); the docs measure event times in milliseconds since the epoch.{outcome} Multiply by 1000.',
    letThrough: 'The events were stored as sent.',
  },
  {
    id: 'SENTIMENT_WITHOUT_PARTICIPANT',
    title: 'Sentiment events need a participant',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm`,
      quote: 'This field is only required if events.type is IntelligenceSignal__Sentiment.',
    },
    operations: ['sendRealtimeConversationEvents'],
    scope: 'request',
    when: { sentimentWithoutParticipant: true },
    status: 400,
    effect: 'apply',
    message:
      '{events} of type IntelligenceSignal__Sentiment have no participant.{outcome} Set participant to AGENT or CUSTOMER.',
    letThrough: 'They were stored without one.',
  },
  {
    id: 'SENTIMENT_SCORE_OUT_OF_RANGE',
    title: 'Sentiment values are -1000 to 1000, scores 0 to 1000',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_realtime_conversation.htm`,
      quote: 'The score must be between -1000 and 1000, with 1000 being the best, most positive score possible.',
      note: 'The same page: events.score "must be between 0 and 1000"; the post-call page: a sentiment value "ranging between -1000 (most negative) and 1000 (most positive)". Every sentiment Salesforce\'s Lambdas and samples send is in range.',
    },
    operations: EVENT_OPS,
    scope: 'request',
    when: { sentimentOutOfRange: true },
    status: 400,
    effect: 'apply',
    message:
      '{rangeProblem}.{outcome} Send a sentiment value as a number from -1000 to 1000 (a string, e.g. "-400.13") and a score from 0 to 1000.',
    letThrough: 'The events were stored as sent.',
  },
  {
    id: 'OMNIFLOW_ON_CLOSED_CALL',
    title: 'omniFlow routes an open call',
    kind: 'requirement',
    evidence: {
      grade: 'observed',
      url: `${LAMBDAS}/voiceMailPackaging/handler.js`,
      note: "Salesforce's voicemail packager and demo connector keep the call open (isActiveCall: true) until after omniFlow; no page says what omniFlow does on a closed call.",
    },
    operations: ['executeOmniFlow'],
    scope: 'request',
    when: { conversation: 'closed' },
    status: 409,
    effect: 'apply',
    message:
      'Call {callId} is closed.{outcome} Execute the flow before the final update (keep isActiveCall: true until then).',
    letThrough: 'It was routed anyway.',
  },
  {
    id: 'OMNIFLOW_WHILE_ROUTING_PENDING',
    title: 'One omniFlow per pending routing',
    kind: 'requirement',
    evidence: {
      grade: 'observed',
      url: 'https://developer.salesforce.com/docs/atlas.en-us.voice_pt_developer_guide.meta/voice_pt_developer_guide/voice_pt_omni_flow.htm',
      note:
        "The page says omniFlow creates a PendingServiceRouting that stays until a rep accepts the work; Salesforce's sample voicemail subflow clears routing before the flow runs again. " +
        'No page says what a second omniFlow does; the mock replaces the pending routing.',
    },
    operations: ['executeOmniFlow'],
    scope: 'request',
    when: { routing: 'pending' },
    status: 409,
    effect: 'apply',
    message:
      'Call {callId} already has pending routing ({routingId}).{outcome} Call clearRouting before executing the flow again.',
    letThrough: 'The new routing replaced it.',
  },
  {
    id: 'VOICEMAIL_WITHOUT_VOICEMAIL_ROUTING',
    title: "A voicemail is routed by its channel's voicemail routing",
    kind: 'behaviour',
    evidence: {
      grade: 'inferred',
      url: SEED,
      quote: 'Voicemail routing can be defined for any inbound phone number in the contact center channels section.',
      note: 'What the service does when the channel has no voicemail routing is not documented; the mock uses its live-call routing.',
    },
    operations: ['executeOmniFlow'],
    scope: 'request',
    when: { voicemailRoutingMissing: true },
    status: 409,
    effect: 'apply',
    message:
      'Call {callId} is a voicemail, but phone channel {dialedNumber} has no voicemail routing.{outcome} Add voicemail routing to the channel in the fixtures.',
    letThrough: 'Its live-call routing was used.',
  },
  {
    id: 'CLEAR_ROUTING_WITHOUT_PENDING',
    title: 'clearRouting with nothing pending does nothing',
    kind: 'requirement',
    evidence: {
      grade: 'inferred',
      url: `${DOCS}/voice_rest_clear_routing.htm`,
      quote: 'the PSR record is automatically deleted when the call is no longer being routed',
      contradictedBy: {
        url: `${LAMBDAS}/handleContactEvents/handler.js`,
        what: 'the Amazon Connect Lambda sends clearRouting for every abandoned call, whether or not routing is still pending, and throws on any non-2xx answer',
      },
    },
    operations: ['clearRouting'],
    scope: 'request',
    when: { routing: 'none' },
    status: 409,
    effect: 'apply',
    message:
      'Call {callId} has no pending routing (it was never routed, was already cleared, or routing ended).{outcome} ' +
      'clearRouting is needed only after omniFlow, for a missed, abandoned or declined call.',
    letThrough: 'There was nothing to clear.',
  },
  {
    id: 'UNIFIED_ROUTING_REQUIRED',
    title: 'routeVoiceCall, requestCallback and reroute are processed only with Unified Routing',
    kind: 'behaviour',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_reroute_call.htm`,
      quote:
        'will only be processed if the call belongs to a contact center which has Unified Routing with Omni-Channel enabled',
      note: 'The same words are on the Request a Callback page; Route a Voice Call says "This API is processed if the call belongs to a contact center that has Unified Routing with Omni-Channel enabled." No page gives the answer to an unprocessed request.',
    },
    operations: ['routeVoiceCall', 'requestCallback', 'rerouteVoiceCall'],
    scope: 'request',
    when: { unifiedRouting: false },
    status: 409,
    effect: 'skip',
    message:
      'Contact center {callCenter} does not use Unified Routing with Omni-Channel, which the docs say this request needs to be processed.{outcome} ' +
      'Use omniFlow, or enable unifiedRouting for the contact center in the fixtures.',
    letThrough: 'It was not processed.',
  },
  {
    id: 'ROUTE_ON_CLOSED_CALL',
    title: 'Routing is for an open call',
    kind: 'requirement',
    evidence: {
      grade: 'inferred',
      url: `${DOCS}/voice_rest_route_call.htm`,
      note: "No page restricts it; Salesforce's code routes and reroutes only live contacts.",
    },
    operations: ['routeVoiceCall', 'rerouteVoiceCall'],
    scope: 'request',
    when: { conversation: 'closed' },
    status: 409,
    effect: 'apply',
    message: 'Call {callId} is closed.{outcome} Route the call while it is active.',
    letThrough: 'It was routed anyway.',
  },
  {
    id: 'REROUTE_WITHOUT_ROUTING',
    title: 'reroute follows an earlier routing',
    kind: 'requirement',
    evidence: {
      grade: 'inferred',
      url: `${DOCS}/voice_rest_reroute_call.htm`,
      quote: 'Use this API to reroute a voice call with Omni-Channel if routing has failed initially.',
      note: 'The page says when to use it; that it needs an earlier routing is our reading.',
    },
    operations: ['rerouteVoiceCall'],
    scope: 'request',
    when: { everRouted: false },
    status: 409,
    effect: 'apply',
    message: 'Call {callId} was never routed.{outcome} Route it first (routeVoiceCall or omniFlow).',
    letThrough: 'There was nothing to reroute.',
  },
  {
    id: 'UNDOCUMENTED_FIELD',
    title: 'Fields the docs do not define are ignored',
    kind: 'requirement',
    evidence: {
      grade: 'inferred',
      url: 'openapi.yaml',
      note: "Each operation in openapi.yaml lists the fields its page documents, and, marked x-observed, the fields Salesforce's own Lambdas send that no page lists (callCenterApiName, initiationMethod, toNumber, callSubType, parentCallIdentifier and secretName on updates; transferTarget on omniFlow; details on category events): those never hit this rule.",
    },
    operations: OPERATIONS_WITH_BODY_FIELDS,
    scope: 'request',
    when: { undocumentedFields: true },
    status: 400,
    effect: 'apply',
    message:
      'Undocumented field(s) {fields}: the real service may ignore or reject them.{outcome} Send the documented field where one is named.',
    letThrough: 'The mock ignored them (flowName is taken as flowDevName).',
  },
  {
    id: 'CALL_ATTRIBUTES_NOT_JSON',
    title: 'callAttributes is a JSON-encoded object',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: `${DOCS}/voice_rest_voicecalls_update.htm`,
      quote: 'The value is a string representation using key-value pairs in JSON',
      contradictedBy: {
        url: `${DOCS}/voice_rest_voicecalls_create.htm`,
        what: "the docs' own callAttributes examples are not valid JSON (unescaped inner quotes)",
      },
    },
    operations: ['createVoiceCall', 'updateVoiceCall'],
    scope: 'request',
    when: { callAttributesNotJson: true },
    status: 400,
    effect: 'apply',
    message:
      'callAttributes does not parse as a JSON object ({parseProblem}).{outcome} Build it with JSON.stringify({"Field__c": "value"}).',
    letThrough: 'It was stored as sent.',
  },
  {
    id: 'RESERVE_COUNTRY_NOT_LISTED',
    title: 'Reserve a number in a country the page lists',
    kind: 'requirement',
    evidence: {
      grade: 'documented',
      url: 'https://developer.salesforce.com/docs/atlas.en-us.262.0.voice_developer_guide.meta/voice_developer_guide/voice_rest_reserve_routable_number.htm',
      quote: "If your country isn't listed, specify the closest supported country",
      note: 'The 262.0 table lists BE, DK, FI, FR, DE, NL, PL, ES, SE, CH and GB.',
      contradictedBy: {
        url: `${DOCS}/voice_rest_reserve_routable_number.htm`,
        what: "the page's own example reserves a US number",
      },
    },
    operations: ['reserveRoutableNumber'],
    scope: 'request',
    when: { countryNotListed: true },
    status: 400,
    effect: 'apply',
    message:
      '{country} is not one of the countries the page lists ({listed}).{outcome} Reserve a number of the closest listed country.',
    letThrough: "The mock reserved a number of the contact center's pool for it anyway.",
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

/** Each rule's `when` as a list, made once: judge runs every rule of an operation on every request. */
const WHEN_ENTRIES = new WeakMap<SequenceFacts, ReadonlyArray<readonly [keyof SequenceFacts, unknown]>>();

function matches(when: SequenceFacts, facts: SequenceFacts): boolean {
  let entries = WHEN_ENTRIES.get(when);
  if (entries === undefined) {
    entries = Object.entries(when) as Array<[keyof SequenceFacts, unknown]>;
    WHEN_ENTRIES.set(when, entries);
  }
  for (const [name, expected] of entries) if (facts[name] !== expected) return false;
  return true;
}

/** The rule's message for this request: what went wrong, what the mock did (unless it refused), what to do. */
export function renderRuleMessage(rule: SequenceRule, vars: RuleVars, refused = false): string {
  return rule.message.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'outcome') return refused ? '' : ` ${rule.letThrough}`;
    const value = vars[name];
    return value === undefined ? '' : String(value);
  });
}

/** The rules that judge this operation at this scope, in table order. */
export function rulesFor(operation: Operation, scope: SequenceRule['scope']): SequenceRule[] {
  return [...tableRowsFor(operation, scope)];
}

/** The table never changes, so each operation's rules are filtered from it once (judge runs per request). */
const ROWS_BY_OPERATION = {
  request: new Map<Operation, readonly SequenceRule[]>(),
  message: new Map<Operation, readonly SequenceRule[]>(),
};

function tableRowsFor(operation: Operation, scope: SequenceRule['scope']): readonly SequenceRule[] {
  let rows = ROWS_BY_OPERATION[scope].get(operation);
  if (rows === undefined) {
    rows = SEQUENCE_RULES.filter((rule) => rule.scope === scope && rule.operations.includes(operation));
    ROWS_BY_OPERATION[scope].set(operation, rows);
  }
  return rows;
}

/** The rules of this operation and scope whose facts match, in table order. */
export function matchRules(
  operation: Operation,
  scope: SequenceRule['scope'],
  facts: SequenceFacts,
  vars: RuleVars = {},
): RuleHit[] {
  return tableRowsFor(operation, scope)
    .filter((rule) => matches(rule.when, facts))
    .map((rule) => ({ rule, message: renderRuleMessage(rule, vars) }));
}

export type RuleMode = 'strict' | 'lenient';

/**
 * What a run does with the rules: their levels, and whether refusals are answered (strict) or only recorded (lenient).
 */
export interface RulePolicyView {
  readonly mode: RuleMode;
  levelOf(id: RuleId): RuleLevel;
  /** Where the run set the level, in words (e.g. "--rule"), to say so when that setting refuses a request. */
  setBy?(id: RuleId): string;
}

/** How one rule judged one request: passed, matched as a warning, or matched as a violation. */
type Outcome = 'ok' | 'warning' | 'violation';

export interface RuleJudgement {
  /** Each rule of the operation and scope that ran (rules set to off do not), with its outcome. */
  checks: Array<{ rule: SequenceRule; outcome: Outcome; message?: string }>;
  /** Set when the request is refused: the violations; the first one decides the status. */
  refused?: { status: 400 | 409; violations: RuleHit[] };
  /** Hits that let the request through: warnings, and violations in lenient mode. */
  warnings: RuleHit[];
  /** True when a rule that matched says to leave state as it was. */
  skip: boolean;
}

/**
 * Judges one request (or one message) against the table under a policy. A matched rule at `refuse` is a
 * violation, answered with its status in strict mode and let through (still a violation) in lenient
 * mode; at `warn` it is a warning; at `off` it is not reported, but a behaviour rule still has its
 * effect, because that is what the service does.
 */
export function judge(
  operation: Operation,
  scope: SequenceRule['scope'],
  facts: SequenceFacts,
  vars: RuleVars,
  policy: RulePolicyView,
): RuleJudgement {
  const checks: RuleJudgement['checks'] = [];
  const violations: RuleHit[] = [];
  const warnings: RuleHit[] = [];
  let skip = false;
  for (const rule of tableRowsFor(operation, scope)) {
    const level = policy.levelOf(rule.id);
    const matched = matches(rule.when, facts);
    if (level === 'off') {
      if (matched && rule.kind === 'behaviour' && rule.effect === 'skip') skip = true;
      continue;
    }
    if (!matched) {
      checks.push({ rule, outcome: 'ok' });
      continue;
    }
    const refused = level === 'refuse' && policy.mode === 'strict';
    let message = renderRuleMessage(rule, vars, refused);
    if (refused && defaultLevel(rule) === 'warn') {
      const by = policy.setBy?.(rule.id);
      message += ` (Refused because this run sets ${rule.id} to refuse${by === undefined ? '' : ` with ${by}`}; by default it is a warning.)`;
    }
    const hit = { rule, message };
    checks.push({ rule, outcome: level === 'refuse' ? 'violation' : 'warning', message: hit.message });
    (level === 'refuse' ? violations : warnings).push(hit);
    if (rule.effect === 'skip') skip = true;
  }
  if (policy.mode === 'strict' && violations.length > 0) {
    return { checks, refused: { status: violations[0]!.rule.status, violations }, warnings: [], skip: true };
  }
  return { checks, warnings: [...violations, ...warnings], skip };
}
