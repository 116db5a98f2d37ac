/** Execute an Omni-Channel Flow, Route a Voice Call, Request a Callback, Reroute, Clear Routing. */
import type { Operation } from '../../../contracts/operations.ts';
import type { RuleVars, SequenceFacts } from '../../../contracts/sequence-rules.ts';
import type {
  ClearRoutingResponse,
  ExecuteOmniFlowRequest,
  ExecuteOmniFlowResponse,
  RequestCallbackRequest,
  RequestCallbackResponse,
  RouteVoiceCallRequest,
  RoutingStatusResponse,
} from '../../../contracts/wire-schemas.ts';
import { KEY_PREFIX } from '../../ids/salesforce-id.ts';
import type { ContactCenter } from '../../org/org-fixture-schema.ts';
import type { ContactRequestRecord, Mutation, PendingRoutingRecord, RoutingTarget, VoiceCallRecord } from '../../store/records.ts';
import { callStateOf, conversationOf, requireCall } from '../call-resolution.ts';
import { routeCall, type RoutedCallFields } from '../call-transitions.ts';
import { rerouteTarget, routeByOmniFlow, routeToTarget, type RoutingOutcome } from '../omni-routing.ts';
import {
  ApiError,
  enforceRules,
  requestFacts,
  type OperationEnv,
  type OperationOutcome,
  type OperationRequest,
} from '../operation-context.ts';

interface RoutedCall {
  call: VoiceCallRecord;
  pending: PendingRoutingRecord | undefined;
}

/** Resolves {CALL_ID}, derives the routing facts every routing operation shares, and runs the rules. */
function checkRoutingRequest(
  req: OperationRequest,
  env: OperationEnv,
  operation: Operation,
  extra: { facts?: SequenceFacts; vars?: RuleVars; routing?: (call: VoiceCallRecord, center: ContactCenter) => RoutingOutcome } = {},
): RoutedCall & { outcome: RoutingOutcome | undefined; center: ContactCenter; skip: boolean } {
  const { store, org } = env;
  const tenant = req.tenant.key;
  const call = requireCall(store, tenant, req.params.CALL_ID!);
  const center = org.contactCenter(call.callCenterApiName);
  if (center === undefined) {
    throw new ApiError(400, 'UNKNOWN_CALL_CENTER', [
      `Call ${call.id} belongs to contact center ${call.callCenterApiName}, which the loaded org fixture does not have. Start the mock with the fixture the call was created under.`,
    ]);
  }
  const pending = store.pendingRoutingOf(tenant, call.id);
  const outcome = extra.routing?.(call, center);
  const shared = requestFacts(req);
  const { skip } = enforceRules(
    {
      operation,
      scope: 'request',
      facts: {
        ...shared.facts,
        conversation: conversationOf(store, call).status,
        routing: pending === undefined ? 'none' : 'pending',
        everRouted: call.lastRouting !== null,
        unifiedRouting: center.unifiedRouting,
        ...(outcome === undefined ? {} : { voicemailRoutingMissing: outcome.voicemailRoutingMissing }),
        ...extra.facts,
      },
      vars: { ...shared.vars, callId: call.id, routingId: pending?.id, callCenter: center.apiName, ...extra.vars },
      callState: callStateOf(store, call),
    },
    env.rules,
    req.rules,
  );
  return { call, pending, outcome, center, skip };
}

function requireRoute(outcome: RoutingOutcome | undefined, call: VoiceCallRecord): Extract<RoutingOutcome, { ok: true }> {
  if (outcome !== undefined && outcome.ok) return outcome;
  const tried = outcome === undefined || outcome.ok ? [] : outcome.tried;
  throw new ApiError(400, 'NO_ROUTE', [
    `Nothing routed call ${call.id}. Tried: ${tried.join('; ') || 'nothing'}. Send a dialedNumber of a phone channel, or a flowDevName or fallbackQueue the simulated org knows (see fixtures/).`,
  ]);
}

/** Where a routing target leaves the call: owned by the rep, else the queue, with their names. */
function routedFields(env: OperationEnv, center: ContactCenter, target: RoutingTarget): RoutedCallFields {
  const rep = target.repId === null ? undefined : env.org.rep(center, target.repId);
  const queue = target.queueId === null ? undefined : env.org.queue(center, target.queueId);
  return { ownerId: rep?.id ?? queue?.id ?? null, queue: queue?.developerName ?? null, agent: rep?.username ?? null };
}

/** The checked call's new pending routing, replacing the one it had. */
function routeTo(
  req: OperationRequest,
  env: OperationEnv,
  checked: RoutedCall & { center: ContactCenter },
  target: RoutingTarget,
  source: PendingRoutingRecord['source'],
): Mutation[] {
  return routeCall({
    call: checked.call,
    target,
    fields: routedFields(env, checked.center, target),
    source,
    replaces: checked.pending,
    ids: env.store.ids,
    now: req.now.toISOString(),
  });
}

const SUCCESS: RoutingStatusResponse = { status: 'Success' };

export function executeOmniFlow(req: OperationRequest<ExecuteOmniFlowRequest>, env: OperationEnv): OperationOutcome {
  const body = req.body;
  const flowDevName = body.flowDevName ?? body.flowName;
  const checked = checkRoutingRequest(req, env, 'executeOmniFlow', {
    vars: { dialedNumber: body.dialedNumber },
    routing: (call, center) =>
      routeByOmniFlow(env.org, center, call.callOrigin, {
        ...(body.dialedNumber === undefined ? {} : { dialedNumber: body.dialedNumber }),
        ...(flowDevName === undefined ? {} : { flowDevName }),
        ...(body.fallbackQueue === undefined ? {} : { fallbackQueue: body.fallbackQueue }),
      }),
  });
  const routed = requireRoute(checked.outcome, checked.call);
  const mutations = routeTo(req, env, checked, routed.target, 'omniFlow');
  const response: ExecuteOmniFlowResponse = { agent: routed.target.agent, queue: routed.target.queue };
  return { status: 200, body: response, mutations, voiceCallId: checked.call.id };
}

export function routeVoiceCall(req: OperationRequest<RouteVoiceCallRequest>, env: OperationEnv): OperationOutcome {
  const body = req.body;
  const checked = checkRoutingRequest(req, env, 'routeVoiceCall', {
    routing: (call, center) => routeToTarget(env.org, center, call.callOrigin, body.routingTarget, body.fallbackQueue),
  });
  // A request the service does not process (UNIFIED_ROUTING_REQUIRED) routes nothing.
  if (checked.skip) return { status: 200, body: SUCCESS, mutations: [], voiceCallId: checked.call.id };
  const routed = requireRoute(checked.outcome, checked.call);
  const mutations = routeTo(req, env, checked, routed.target, 'routeVoiceCall');
  return { status: 200, body: SUCCESS, mutations, voiceCallId: checked.call.id };
}

export function requestCallback(req: OperationRequest<RequestCallbackRequest>, env: OperationEnv): OperationOutcome {
  const checked = checkRoutingRequest(req, env, 'requestCallback');
  const record: ContactRequestRecord = {
    id: env.store.ids.next(KEY_PREFIX.ContactRequest),
    tenant: req.tenant.key,
    voiceCallId: checked.call.id,
    callbackNumber: req.body.callbackNumber,
    preferredChannel: 'Phone',
    status: 'New',
    isPreviewCallback: req.body.isPreviewCallback ?? false,
    scheduledRoutingDateTime: req.body.scheduledRoutingDateTime ?? null,
    vendorCallKey: req.body.vendorCallKey ?? null,
    createdAt: req.now.toISOString(),
  };
  const response: RequestCallbackResponse = { recordId: record.id };
  return {
    status: 201,
    body: response,
    // Not processed (UNIFIED_ROUTING_REQUIRED): the answer has its usual shape, and nothing is stored.
    mutations: checked.skip ? [] : [{ op: 'put', collection: 'contactRequests', record }],
    voiceCallId: checked.call.id,
  };
}

/** Routes the call again, to a different rep than its last routing's (the accepted work, if any, is closed). */
export function rerouteVoiceCall(req: OperationRequest, env: OperationEnv): OperationOutcome {
  const checked = checkRoutingRequest(req, env, 'rerouteVoiceCall');
  const { call } = checked;
  const mutations =
    checked.skip || call.lastRouting === null ? [] : routeTo(req, env, checked, rerouteTarget(checked.center, call.lastRouting), 'reroute');
  return { status: 200, body: SUCCESS, mutations, voiceCallId: call.id };
}

export function clearRouting(req: OperationRequest, env: OperationEnv): OperationOutcome {
  const checked = checkRoutingRequest(req, env, 'clearRouting');
  const mutations: Mutation[] =
    checked.pending === undefined ? [] : [{ op: 'delete', collection: 'routings', id: checked.pending.id }];
  const response: ClearRoutingResponse = { success: true };
  return { status: 200, body: response, mutations, voiceCallId: checked.call.id };
}
