/** Create a Voice Call Record and Update a Voice Call Record. */
import type {
  CreateVoiceCallRequest,
  CreateVoiceCallResponse,
  UpdateVoiceCallRequest,
  UpdateVoiceCallResponse,
} from '../../../contracts/wire-schemas.ts';
import { callStateOf, conversationOf, findCall } from '../call-resolution.ts';
import { applyUpdate, callAttributesProblem, createCall, createCallForUpdate } from '../call-transitions.ts';
import { ApiError } from '../../errors/api-error.ts';
import { requestFacts, underRules } from '../rule-enforcement.ts';
import { ensureRoomForCall } from '../../tenancy/call-quota.ts';
import type { Tenant } from '../../tenancy/tenant.ts';
import type { VoiceCallRecord } from '../../store/records.ts';
import { type OperationEnv, type OperationOutcome, type OperationRequest } from '../operation-types.ts';
import { merged } from '../../object-merge.ts';

export function createVoiceCall(req: OperationRequest<CreateVoiceCallRequest>, env: OperationEnv): OperationOutcome {
  const { store, org } = env;
  const body = req.body;
  const tenant = req.tenant.key;
  requireTokenContactCenter(body.callCenterApiName, req.tenant);
  // The tenant's contact center was checked against the org when the token (or tenant header) was.
  const center = org.contactCenter(body.callCenterApiName)!;
  const isTransfer = body.initiationMethod === 'Transfer';
  const parent =
    isTransfer && body.parentVoiceCallId !== undefined ? findCall(store, tenant, body.parentVoiceCallId) : undefined;
  const existing = store.legsByVendorKey(tenant, body.vendorCallKey)[0];
  const attributesProblem = callAttributesProblem(body.callAttributes);
  const shared = requestFacts(req.undocumentedFields);
  const created = underRules(
    {
      operation: 'createVoiceCall',
      facts: merged(shared.facts, {
        transferParent: !isTransfer ? 'notTransfer' : parent !== undefined ? 'found' : 'missing',
        ...(parent === undefined ? {} : { parentConversation: conversationOf(store, parent).status }),
        vendorCallKeyInUse: existing !== undefined,
        callAttributesNotJson: attributesProblem !== null,
      }),
      vars: merged(shared.vars, {
        parentKey: body.parentVoiceCallId,
        vendorCallKey: body.vendorCallKey,
        callId: existing?.id,
        parseProblem: attributesProblem ?? undefined,
      }),
      ...(parent === undefined ? {} : { callState: callStateOf(store, parent) }),
    },
    env.rules,
    req.rules,
    () => {
      ensureRoomForCall(env, tenant);
      const ownerQueue = isTransfer && body.queue !== undefined ? org.queue(center, body.queue) : undefined;
      return createCall({
        request: body,
        base: {
          tenant,
          callCenterApiName: center.apiName,
          vendorCallKey: body.vendorCallKey,
          callType: isTransfer ? 'Transfer' : 'Inbound',
          providerName: req.providerName,
          createdVia: 'create',
          now: req.now.toISOString(),
        },
        parent,
        ownerId: ownerQueue?.id ?? null,
        ids: store.ids,
      });
    },
  );
  // Left untouched (DUPLICATE_VENDOR_CALL_KEY): the answer names the call that already has the key.
  const call = created?.call ?? existing!;
  const response: CreateVoiceCallResponse = { voiceCallId: call.id, errors: [] };
  return {
    status: created === undefined ? 200 : 201,
    body: response,
    mutations: created?.mutations ?? [],
    voiceCallId: call.id,
  };
}

/** The call type of a call an update creates, from Amazon Connect's initiation method (the post-call sync sends it). */
function callTypeOfInitiation(initiationMethod: string | undefined): VoiceCallRecord['callType'] {
  switch (initiationMethod) {
    case 'OUTBOUND':
    case 'EXTERNAL_OUTBOUND':
      return 'Outbound';
    case 'CALLBACK':
      return 'Callback';
    case 'TRANSFER':
    case 'QUEUE_TRANSFER':
      return 'Transfer';
    default:
      return 'Inbound';
  }
}

/** The 403 of a body that names another contact center than the token (Create, and the Lambdas' updates). */
export function requireTokenContactCenter(named: string | undefined, tenant: Tenant): void {
  if (named === undefined || named === tenant.callCenterApiName) return;
  throw new ApiError(403, 'AUTH_CONTACT_CENTER_MISMATCH', [
    `callCenterApiName "${named}" is not the contact center of your token (sub "${tenant.callCenterApiName}"). ` +
      'Sign the token for the contact center the call belongs to (with --auth off, name it in the Scv-Mock-Tenant header).',
  ]);
}

export function updateVoiceCall(req: OperationRequest<UpdateVoiceCallRequest>, env: OperationEnv): OperationOutcome {
  const { store } = env;
  const body = req.body;
  const tenant = req.tenant.key;
  requireTokenContactCenter(body.callCenterApiName, req.tenant);
  const key = req.params.CALL_ID!;
  const now = req.now.toISOString();
  const found = findCall(store, tenant, key);
  const pending = found === undefined ? undefined : store.pendingRoutingOf(tenant, found.id);
  const attributesProblem = callAttributesProblem(body.callAttributes);
  const holdFields = (['totalHoldDuration', 'agentInteractionDuration'] as const).filter((f) => body[f] !== undefined);
  const shared = requestFacts(req.undocumentedFields);
  const updated = underRules(
    {
      operation: 'updateVoiceCall',
      facts: merged(shared.facts, {
        callExists: found !== undefined,
        ...(found === undefined
          ? {}
          : {
              legClosedByUpdate: found.endedBy === 'update',
              flowRoutingPending: pending?.source === 'omniFlow',
              setsCallOriginVoicemail: body.callOrigin === 'Voicemail' && found.callOrigin !== 'Voicemail',
            }),
        holdFieldsWithoutRecording: holdFields.length > 0 && body.recordingLocation === undefined,
        callAttributesNotJson: attributesProblem !== null,
      }),
      vars: merged(shared.vars, {
        callId: found?.id,
        callKey: key,
        routingId: pending?.id,
        holdFields: holdFields.join(' and '),
        parseProblem: attributesProblem ?? undefined,
      }),
      ...(found === undefined ? {} : { callState: callStateOf(store, found) }),
    },
    env.rules,
    req.rules,
    () => {
      // An unknown CALL_ID is a missed or abandoned call: the update creates it (rule UPDATE_CREATES_CALL).
      if (found === undefined) ensureRoomForCall(env, tenant);
      const { call, conversation } =
        found === undefined
          ? createCallForUpdate(
              {
                tenant,
                callCenterApiName: req.tenant.callCenterApiName,
                vendorCallKey: key,
                callType: callTypeOfInitiation(body.initiationMethod),
                providerName: req.providerName,
                createdVia: 'update',
                now,
              },
              store.ids,
            )
          : { call: found, conversation: conversationOf(store, found) };
      const legs = found === undefined ? [call] : store.legsOfConversation(tenant, conversation.id);
      const mutations = applyUpdate({
        request: body,
        call,
        conversation,
        legs,
        pendingRoutings: legs.flatMap((leg) => store.pendingRoutingOf(tenant, leg.id) ?? []),
        recording: store.recordingOf(tenant, call.id),
        ids: store.ids,
        now,
      });
      return { call, mutations };
    },
  );
  const response: UpdateVoiceCallResponse = { status: 'pending' };
  const voiceCallId = updated?.call.id ?? found?.id;
  return {
    status: 200,
    body: response,
    mutations: updated?.mutations ?? [],
    ...(voiceCallId === undefined ? {} : { voiceCallId }),
  };
}
