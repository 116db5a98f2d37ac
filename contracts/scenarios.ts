/**
 * The documented call scenarios, as data: the ordered steps a connector's requests for one call must
 * go through, which steps are optional or may repeat, and the field conditions at each step. The
 * verifier (scenario-verifier.ts) checks a call's journal against one of them.
 */
import type { Operation } from './operations.ts';
import type { RuleId } from './sequence-rules.ts';

type Primitive = string | number | boolean | null;

/**
 * A condition on a request body field (`on: 'request'`), or on the call as the earlier requests of
 * the scenario left it (`on: 'call'`: create and update bodies folded together). Give one of equals,
 * notEquals or present. `operation` limits it to requests of that operation (a step some operations
 * make differently).
 */
export interface StepCondition {
  on: 'request' | 'call';
  operation?: Operation;
  /** A field path, e.g. "isActiveCall" or "disconnectReason.value". */
  field: string;
  equals?: Primitive;
  notEquals?: Primitive;
  present?: boolean;
  /** Why it matters, said to the connector's developer when it does not hold. */
  why: string;
}

export interface ScenarioStep {
  id: string;
  title: string;
  /** The operations that can make this step. */
  operations: readonly Operation[];
  /** Conditions that tell this step apart from others of the same operation. */
  match?: readonly StepCondition[];
  /** Conditions that must hold when the step happens. */
  expect?: readonly StepCondition[];
  optional?: boolean;
  /** The step may happen several times in a row. */
  repeatable?: boolean;
  /**
   * Neighbouring steps of one phase may come in any order among themselves (transcripts and realtime
   * events during a call); a phase's required steps only have to happen before the phase ends.
   */
  phase?: string;
  /** What the connector should send to make this step. */
  advice: string;
}

export interface Scenario {
  name: string;
  title: string;
  source: string;
  steps: readonly ScenarioStep[];
  /** The rules this scenario exercises (any rule violation fails a verification anyway). */
  rules: readonly RuleId[];
}

const DOCS = 'https://developer.salesforce.com/docs/atlas.en-us.voice_developer_guide.meta/voice_developer_guide';
const PT_DOCS = 'https://developer.salesforce.com/docs/service/voice-pt-dev-guide/guide';

const create = (expect: StepCondition[] = []): ScenarioStep => ({
  id: 'create',
  title: 'Create the VoiceCall when the call starts',
  operations: ['createVoiceCall'],
  match: [{ on: 'request', field: 'initiationMethod', equals: 'Inbound', why: 'the first leg is an inbound call' }],
  expect,
  advice: 'POST /voiceCalls with initiationMethod Inbound when the call starts.',
});

const keepOpen = (
  title = 'Update the call, keeping the conversation open',
  phase: string | undefined = DURING,
): ScenarioStep => ({
  id: 'update-active',
  title,
  operations: ['updateVoiceCall'],
  match: [
    { on: 'request', field: 'isActiveCall', equals: true, why: 'an update before the last one keeps the call active' },
  ],
  optional: true,
  repeatable: true,
  ...(phase === undefined ? {} : { phase }),
  advice: 'PATCH /voiceCalls/{CALL_ID} with isActiveCall: true for every update before the last one.',
});

const finalUpdate = (expect: StepCondition[] = []): ScenarioStep => ({
  id: 'final-update',
  title: 'The final update closes the conversation',
  operations: ['updateVoiceCall'],
  match: [
    {
      on: 'request',
      field: 'isActiveCall',
      notEquals: true,
      why: 'the last update leaves isActiveCall out (or false)',
    },
  ],
  expect,
  advice: 'End with PATCH /voiceCalls/{CALL_ID} without isActiveCall (or with false): it completes the call.',
});

/** The phase of a live call, where the docs give no order: updates that keep it open, transcripts, realtime events. */
const DURING = 'during-call';

const transcripts = (optional: boolean, phase: string | undefined = DURING): ScenarioStep => ({
  id: 'transcripts',
  title: 'Post the transcript',
  operations: ['createTranscript', 'createTranscriptsBulk'],
  optional,
  repeatable: true,
  ...(phase === undefined ? {} : { phase }),
  advice: 'POST /voiceCalls/{vendorCallKey}/messages (or /voiceCalls/messages in bulk) while the call is open.',
});

const realtimeEvents: ScenarioStep = {
  id: 'realtime-events',
  title: 'Send realtime conversation events',
  operations: ['sendRealtimeConversationEvents'],
  optional: true,
  repeatable: true,
  phase: DURING,
  advice: 'POST /voiceCalls/{vendorCallKey}/realtimeConversationEvents during the call.',
};

const postCallEvents = (optional: boolean): ScenarioStep => ({
  id: 'post-call-events',
  title: 'Store post-call events',
  operations: ['storePostConversationEvents'],
  optional,
  repeatable: true,
  advice: 'POST /voiceCalls/{vendorCallKey}/postConversationEvents after the final update.',
});

/** Routing the call: by the dialed number's flow (omniFlow) or, with Unified Routing, routeVoiceCall. */
const route = (optional: boolean, expect: StepCondition[] = []): ScenarioStep => ({
  id: 'route',
  title: 'Route the call (omniFlow with the dialed number, or routeVoiceCall)',
  operations: ['executeOmniFlow', 'routeVoiceCall'],
  optional,
  expect: [
    {
      on: 'request',
      operation: 'executeOmniFlow',
      field: 'dialedNumber',
      present: true,
      why: 'the dialed number picks the phone channel and its routing',
    },
    ...expect,
  ],
  advice: 'PATCH /voiceCalls/{CALL_ID}/omniFlow with the dialedNumber (or POST routeVoiceCall with Unified Routing).',
});

const clearRoutingStep = (optional: boolean): ScenarioStep => ({
  id: 'clear-routing',
  title: 'Clear the pending routing',
  operations: ['clearRouting'],
  optional,
  advice: 'PATCH /voiceCalls/{CALL_ID}/clearRouting when the caller hangs up before the work is accepted.',
});

const transferLeg = (): ScenarioStep => ({
  id: 'transfer-leg',
  title: 'Create the transfer leg',
  operations: ['createVoiceCall'],
  match: [
    {
      on: 'request',
      field: 'initiationMethod',
      equals: 'Transfer',
      why: 'a transfer leg has initiationMethod Transfer',
    },
  ],
  expect: [{ on: 'request', field: 'parentVoiceCallId', present: true, why: 'the new leg links to its parent' }],
  advice: 'POST /voiceCalls with initiationMethod Transfer and parentVoiceCallId when the call is transferred.',
});

/**
 * Ending the legs: each may get its own update (the post-call sync sends one per leg); the last leg's closes the
 * conversation.
 */
const endLegs = (): ScenarioStep => ({
  ...finalUpdate(),
  title: "The legs end; the last leg's update closes the conversation",
  repeatable: true,
});

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'voicemail',
    title: 'Send a voicemail to reps (the seed sequence)',
    source: `${PT_DOCS}/voice-pt-voicemail.html`,
    steps: [
      create(),
      // Salesforce's Amazon Connect voicemail path routes the call live first, then clears that routing
      // when the caller chooses to leave a message.
      {
        ...route(true),
        id: 'live-routing',
        title: 'Route the call live before the caller chooses voicemail',
        match: [{ on: 'call', field: 'callOrigin', notEquals: 'Voicemail', why: 'the call is routed as a live call' }],
      },
      { ...clearRoutingStep(true), title: 'Clear the live routing when the caller chooses voicemail' },
      keepOpen('Tag the call as a voicemail, keeping the conversation open', undefined),
      transcripts(false, undefined),
      {
        id: 'omniflow',
        title: 'Execute the Omni-Channel flow for the dialed number',
        operations: ['executeOmniFlow'],
        expect: [
          {
            on: 'request',
            field: 'dialedNumber',
            present: true,
            why: 'the dialed number picks the phone channel and its voicemail routing',
          },
          {
            on: 'call',
            field: 'callOrigin',
            equals: 'Voicemail',
            why: 'callOrigin must be Voicemail before omniFlow so that the flow picks the voicemail routing',
          },
        ],
        advice: 'PATCH /voiceCalls/{CALL_ID}/omniFlow with the dialedNumber, after callOrigin is Voicemail.',
      },
      finalUpdate([
        {
          on: 'call',
          field: 'recordingLocation',
          present: true,
          why: 'the voicemail call carries its recording by the final update',
        },
      ]),
    ],
    rules: [
      'VOICEMAIL_ORIGIN_AFTER_FLOW',
      'TRANSCRIPT_CONVERSATION_CLOSED',
      'TRANSCRIPT_OUTSIDE_WINDOW',
      'OMNIFLOW_ON_CLOSED_CALL',
      'DUPLICATE_MESSAGE_ID',
    ],
  },
  {
    name: 'inbound-answered',
    title: 'An inbound call routed to a rep and answered',
    source: `${DOCS}/voice_rest_omniflow_execute.htm`,
    steps: [
      create([{ on: 'request', field: 'callOrigin', notEquals: 'Voicemail', why: 'a live call is not a voicemail' }]),
      // With External Routing the telephony system routes the call itself: no routing request.
      route(true),
      keepOpen('Update the call as it is answered, keeping it open'),
      transcripts(true),
      realtimeEvents,
      finalUpdate([
        {
          on: 'call',
          field: 'acceptTime',
          present: true,
          why: 'an answered call has the time the rep accepted it (acceptTime)',
        },
      ]),
      postCallEvents(true),
    ],
    rules: ['OMNIFLOW_WHILE_ROUTING_PENDING', 'TRANSCRIPT_CONVERSATION_CLOSED', 'REALTIME_EVENTS_CONVERSATION_CLOSED'],
  },
  {
    name: 'transfer',
    title: 'A call transferred to another queue or rep (a second leg)',
    source: `${DOCS}/voice_rest_voicecalls_create.htm`,
    steps: [
      create(),
      route(true),
      keepOpen(),
      transcripts(true),
      realtimeEvents,
      transferLeg(),
      { ...route(true), id: 'route-transfer-leg', title: 'Route the transfer leg', expect: [] },
      { ...keepOpen('Update the legs, keeping the conversation open', 'after-transfer'), id: 'update-legs' },
      { ...transcripts(true, 'after-transfer'), id: 'transfer-transcripts' },
      { ...realtimeEvents, id: 'transfer-realtime-events', phase: 'after-transfer' },
      endLegs(),
      postCallEvents(true),
    ],
    rules: ['TRANSFER_PARENT_NOT_FOUND', 'TRANSFER_FROM_CLOSED_CONVERSATION', 'TRANSCRIPT_KEY_NOT_FIRST_LEG'],
  },
  {
    name: 'transfer-to-flow',
    title: 'A call transferred to an Omni-Channel flow',
    source: `${PT_DOCS}/voice-pt-transfer-calls-omni-channel-flow.html`,
    steps: [
      create(),
      route(true),
      keepOpen(),
      transcripts(true),
      realtimeEvents,
      // The docs' sample creates the transfer leg first, then runs the flow on it.
      transferLeg(),
      {
        id: 'flow-on-transfer-leg',
        title: 'Run the target flow on the transfer leg',
        operations: ['executeOmniFlow', 'routeVoiceCall'],
        expect: [
          {
            on: 'request',
            operation: 'executeOmniFlow',
            field: 'flowDevName',
            present: true,
            why: 'transfer-to-flow names the flow with flowDevName ("The flowDevName parameter is required")',
          },
          {
            on: 'request',
            operation: 'executeOmniFlow',
            field: 'dialedNumber',
            present: false,
            why: 'transfer-to-flow leaves dialedNumber out ("Don’t set the dialedNumber parameter")',
          },
        ],
        advice:
          'After creating the transfer leg, PATCH /voiceCalls/{transfer leg}/omniFlow with flowDevName and no dialedNumber; with Unified Routing, POST routeVoiceCall with the flow id as routingTarget.',
      },
      { ...keepOpen('Update the legs, keeping the conversation open', 'after-transfer'), id: 'update-legs' },
      { ...transcripts(true, 'after-transfer'), id: 'transfer-transcripts' },
      endLegs(),
    ],
    rules: ['TRANSFER_PARENT_NOT_FOUND', 'UNDOCUMENTED_FIELD'],
  },
  {
    name: 'abandoned',
    title: 'A caller who hangs up before a rep answers (clearRouting)',
    source: `${DOCS}/voice_rest_clear_routing.htm`,
    steps: [create(), route(true), keepOpen(), clearRoutingStep(false), finalUpdate()],
    rules: ['CLEAR_ROUTING_WITHOUT_PENDING', 'OMNIFLOW_ON_CLOSED_CALL'],
  },
  {
    name: 'callback',
    title: 'A caller who accepts a callback instead of waiting (Unified Routing)',
    source: `${DOCS}/voice_rest_callback.htm`,
    steps: [
      create(),
      route(true),
      keepOpen(),
      {
        id: 'request-callback',
        title: 'Request the callback',
        operations: ['requestCallback'],
        expect: [
          { on: 'request', field: 'callbackNumber', present: true, why: 'the callback needs the number to call' },
        ],
        advice: 'POST /voiceCalls/{CALL_ID}/requestCallback with the callbackNumber.',
      },
      // Salesforce's Amazon Connect Lambda clears routing when the caller hangs up without a rep.
      clearRoutingStep(true),
      finalUpdate([
        {
          on: 'request',
          field: 'disconnectReason.value',
          equals: 'CALLBACK',
          why: 'a caller who drops after accepting a callback has disconnectReason CALLBACK, otherwise the call counts as abandoned',
        },
      ]),
    ],
    rules: ['UNIFIED_ROUTING_REQUIRED'],
  },
  {
    name: 'contact-lens',
    title: 'Bulk transcripts with realtime and post-call events (Contact Lens)',
    source: `${DOCS}/voice_rest_voicecalls_transcript_bulk.htm`,
    steps: [
      create(),
      route(true),
      keepOpen(),
      {
        ...transcripts(false),
        id: 'bulk-transcripts',
        operations: ['createTranscriptsBulk'],
        advice: 'POST /voiceCalls/messages (up to 5 entries of 5 messages) while the call is open.',
      },
      realtimeEvents,
      finalUpdate(),
      postCallEvents(false),
    ],
    rules: [
      'POST_CALL_EVENTS_CONVERSATION_OPEN',
      'REALTIME_EVENTS_CONVERSATION_CLOSED',
      'EVENTS_NOT_SORTED',
      'SENTIMENT_WITHOUT_PARTICIPANT',
      'TRANSCRIPT_OUTSIDE_WINDOW',
      'BULK_TRANSCRIPT_LIMITS',
    ],
  },
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
