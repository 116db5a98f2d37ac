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
 * notEquals or present.
 */
export interface StepCondition {
  on: 'request' | 'call';
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

const create = (expect: StepCondition[] = []): ScenarioStep => ({
  id: 'create',
  title: 'Create the VoiceCall when the call starts',
  operations: ['createVoiceCall'],
  match: [{ on: 'request', field: 'initiationMethod', equals: 'Inbound', why: 'the first leg is an inbound call' }],
  expect,
  advice: 'POST /voiceCalls with initiationMethod Inbound when the call starts.',
});

const keepOpen = (title = 'Update the call, keeping the conversation open'): ScenarioStep => ({
  id: 'update-active',
  title,
  operations: ['updateVoiceCall'],
  match: [{ on: 'request', field: 'isActiveCall', equals: true, why: 'an update before the last one keeps the call active' }],
  optional: true,
  repeatable: true,
  advice: 'PATCH /voiceCalls/{CALL_ID} with isActiveCall: true for every update before the last one.',
});

const finalUpdate = (expect: StepCondition[] = []): ScenarioStep => ({
  id: 'final-update',
  title: 'The final update closes the conversation',
  operations: ['updateVoiceCall'],
  match: [{ on: 'request', field: 'isActiveCall', notEquals: true, why: 'the last update leaves isActiveCall out (or false)' }],
  expect,
  advice: 'End with PATCH /voiceCalls/{CALL_ID} without isActiveCall (or with false): it completes the call.',
});

const transcripts = (optional: boolean): ScenarioStep => ({
  id: 'transcripts',
  title: 'Post the transcript',
  operations: ['createTranscript', 'createTranscriptsBulk'],
  optional,
  repeatable: true,
  advice: 'POST /voiceCalls/{vendorCallKey}/messages (or /voiceCalls/messages in bulk) while the call is open.',
});

const routeByNumber = (expect: StepCondition[] = []): ScenarioStep => ({
  id: 'omniflow',
  title: 'Execute the Omni-Channel flow for the dialed number',
  operations: ['executeOmniFlow'],
  expect: [{ on: 'request', field: 'dialedNumber', present: true, why: 'the dialed number picks the phone channel and its routing' }, ...expect],
  advice: 'PATCH /voiceCalls/{CALL_ID}/omniFlow with the dialedNumber.',
});

const transferLeg = (): ScenarioStep => ({
  id: 'transfer-leg',
  title: 'Create the transfer leg',
  operations: ['createVoiceCall'],
  match: [{ on: 'request', field: 'initiationMethod', equals: 'Transfer', why: 'a transfer leg has initiationMethod Transfer' }],
  expect: [{ on: 'request', field: 'parentVoiceCallId', present: true, why: 'the new leg links to its parent' }],
  advice: 'POST /voiceCalls with initiationMethod Transfer and parentVoiceCallId when the call is transferred.',
});

const realtimeEvents: ScenarioStep = {
  id: 'realtime-events',
  title: 'Send realtime conversation events',
  operations: ['sendRealtimeConversationEvents'],
  optional: true,
  repeatable: true,
  advice: 'POST /voiceCalls/{vendorCallKey}/realtimeConversationEvents during the call.',
};

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'voicemail',
    title: 'Send a voicemail to reps (the seed sequence)',
    source: 'https://developer.salesforce.com/docs/service/voice-pt-dev-guide/guide/voice-pt-voicemail.html',
    steps: [
      create(),
      keepOpen('Tag the call as a voicemail, keeping the conversation open'),
      transcripts(false),
      routeByNumber([
        {
          on: 'call',
          field: 'callOrigin',
          equals: 'Voicemail',
          why: 'callOrigin must be Voicemail before omniFlow so that the flow picks the voicemail routing',
        },
      ]),
      finalUpdate([
        { on: 'request', field: 'recordingLocation', present: true, why: 'the final update carries the voicemail recording' },
      ]),
    ],
    rules: ['VOICEMAIL_ORIGIN_AFTER_FLOW', 'TRANSCRIPT_CONVERSATION_CLOSED', 'TRANSCRIPT_OUTSIDE_WINDOW', 'OMNIFLOW_ON_CLOSED_CALL', 'DUPLICATE_MESSAGE_ID'],
  },
  {
    name: 'inbound-answered',
    title: 'An inbound call routed to a rep and answered',
    source: `${DOCS}/voice_rest_omniflow_execute.htm`,
    steps: [
      create([{ on: 'request', field: 'callOrigin', notEquals: 'Voicemail', why: 'a live call is not a voicemail' }]),
      routeByNumber(),
      keepOpen('Update the call as it is answered, keeping it open'),
      transcripts(true),
      realtimeEvents,
      finalUpdate([{ on: 'call', field: 'acceptTime', present: true, why: 'an answered call has the time the rep accepted it (acceptTime)' }]),
    ],
    rules: ['OMNIFLOW_WHILE_ROUTING_PENDING', 'TRANSCRIPT_CONVERSATION_CLOSED', 'REALTIME_EVENTS_CONVERSATION_CLOSED'],
  },
  {
    name: 'transfer',
    title: 'A call transferred to another queue (a second leg)',
    source: `${DOCS}/voice_rest_voicecalls_create.htm`,
    steps: [
      create(),
      routeByNumber(),
      keepOpen(),
      transcripts(true),
      transferLeg(),
      { ...keepOpen('Update the legs, keeping the conversation open'), id: 'update-legs' },
      { ...transcripts(true), id: 'transfer-transcripts' },
      // Each leg may be ended; the last leg's end closes the conversation.
      { ...finalUpdate(), repeatable: true },
    ],
    rules: ['TRANSFER_PARENT_NOT_FOUND', 'TRANSFER_FROM_CLOSED_CONVERSATION', 'TRANSCRIPT_KEY_NOT_FIRST_LEG'],
  },
  {
    name: 'transfer-to-flow',
    title: 'A call transferred to an Omni-Channel flow',
    source: `${DOCS}/voice_rest_omniflow_execute.htm`,
    steps: [
      create(),
      keepOpen(),
      {
        id: 'omniflow-transfer',
        title: 'Execute the target flow by name, without a dialed number',
        operations: ['executeOmniFlow'],
        expect: [
          { on: 'request', field: 'flowDevName', present: true, why: 'transfer-to-flow names the flow with flowDevName' },
          { on: 'request', field: 'dialedNumber', present: false, why: 'transfer-to-flow leaves dialedNumber out' },
        ],
        advice: 'PATCH /voiceCalls/{CALL_ID}/omniFlow with flowDevName and no dialedNumber.',
      },
      { ...transferLeg(), optional: true },
      { ...keepOpen('Update the legs, keeping the conversation open'), id: 'update-legs' },
      finalUpdate(),
    ],
    rules: ['TRANSFER_PARENT_NOT_FOUND', 'UNDOCUMENTED_FIELD'],
  },
  {
    name: 'abandoned',
    title: 'A caller who hangs up before a rep answers (clearRouting)',
    source: `${DOCS}/voice_rest_clear_routing.htm`,
    steps: [
      create(),
      routeByNumber(),
      keepOpen(),
      {
        id: 'clear-routing',
        title: 'Clear the pending routing',
        operations: ['clearRouting'],
        advice: 'PATCH /voiceCalls/{CALL_ID}/clearRouting when the caller hangs up before the work is accepted.',
      },
      finalUpdate(),
    ],
    rules: ['CLEAR_ROUTING_WITHOUT_PENDING', 'OMNIFLOW_ON_CLOSED_CALL'],
  },
  {
    name: 'callback',
    title: 'A caller who accepts a callback instead of waiting (Unified Routing)',
    source: `${DOCS}/voice_rest_callback.htm`,
    steps: [
      create(),
      {
        id: 'route',
        title: 'Route the call',
        operations: ['routeVoiceCall', 'executeOmniFlow'],
        optional: true,
        advice: 'POST /voiceCalls/{CALL_ID}/routeVoiceCall (or omniFlow) to queue the call.',
      },
      keepOpen(),
      {
        id: 'request-callback',
        title: 'Request the callback',
        operations: ['requestCallback'],
        expect: [{ on: 'request', field: 'callbackNumber', present: true, why: 'the callback needs the number to call' }],
        advice: 'POST /voiceCalls/{CALL_ID}/requestCallback with the callbackNumber.',
      },
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
      keepOpen(),
      { ...transcripts(false), id: 'bulk-transcripts', operations: ['createTranscriptsBulk'], advice: 'POST /voiceCalls/messages with up to 5 entries of 5 messages while the call is open.' },
      realtimeEvents,
      finalUpdate(),
      {
        id: 'post-call-events',
        title: 'Store post-call events',
        operations: ['storePostConversationEvents'],
        repeatable: true,
        advice: 'POST /voiceCalls/{vendorCallKey}/postConversationEvents after the final update.',
      },
    ],
    rules: ['POST_CALL_EVENTS_CONVERSATION_OPEN', 'REALTIME_EVENTS_CONVERSATION_CLOSED', 'EVENTS_NOT_SORTED', 'SENTIMENT_WITHOUT_PARTICIPANT', 'TRANSCRIPT_OUTSIDE_WINDOW'],
  },
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
