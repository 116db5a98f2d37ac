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
import type {
  ContactRequestRecord,
  Mutation,
  PendingRoutingRecord,
  RoutingTarget,
  VoiceCallRecord,
} from '../../store/records.ts';
import { callStateOf, conversationOf, requireCall } from '../call-resolution.ts';
import { routeCall, type RoutedCallFields } from '../call-transitions.ts';
import { rerouteTarget, routeByOmniFlow, routeToTarget, type RoutingOutcome } from '../omni-routing.ts';
import { ApiError } from '../../errors/api-error.ts';
import { requestFacts, underRules } from '../rule-enforcement.ts';
import { type OperationEnv, type OperationOutcome, type OperationRequest } from '../operation-types.ts';
import { merged } from '../../object-merge.ts';

interface RoutedCall {
  call: VoiceCallRecord;
  pending: PendingRoutingRecord | undefined;
}

type CheckedRouting = RoutedCall & { outcome: RoutingOutcome | undefined; center: ContactCenter };

/**
 * Resolves {CALL_ID}, derives the routing facts every routing operation shares, runs the rules, and
 * makes the operation's change unless a rule leaves state untouched (then `mutations` is empty).
 */
function routingRequest(
  req: OperationRequest,
  env: OperationEnv,
  operation: Operation,
  extra: {
    facts?: SequenceFacts;
    vars?: RuleVars;
    routing?: (call: VoiceCallRecord, center: ContactCenter) => RoutingOutcome;
  },
  change: (checked: CheckedRouting) => Mutation[],
): { checked: CheckedRouting; mutations: Mutation[] } {
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
  const shared = requestFacts(req.undocumentedFields);
  const checked: CheckedRouting = { call, pending, outcome, center };
  const mutations = underRules(
    {
      operation,
      facts: merged(shared.facts, {
        conversation: conversationOf(store, call).status,
        routing: pending === undefined ? 'none' : 'pending',
        everRouted: call.lastRouting !== null,
        unifiedRouting: center.unifiedRouting,
        ...(outcome === undefined ? {} : { voicemailRoutingMissing: outcome.voicemailRoutingMissing }),
        ...extra.facts,
      }),
      vars: merged(shared.vars, { callId: call.id, routingId: pending?.id, callCenter: center.apiName, ...extra.vars }),
      callState: callStateOf(store, call),
    },
    env.rules,
    req.rules,
    () => change(checked),
  );
  return { checked, mutations: mutations ?? [] };
}

function requireRoute(
  outcome: RoutingOutcome | undefined,
  call: VoiceCallRecord,
): Extract<RoutingOutcome, { ok: true }> {
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
  const { checked, mutations } = routingRequest(
    req,
    env,
    'executeOmniFlow',
    {
      vars: { dialedNumber: body.dialedNumber },
      routing: (call, center) =>
        routeByOmniFlow(
          env.org,
          center,
          call.callOrigin,
          Object.assign(
            {},
            body.dialedNumber === undefined ? {} : { dialedNumber: body.dialedNumber },
            flowDevName === undefined ? {} : { flowDevName },
            body.fallbackQueue === undefined ? {} : { fallbackQueue: body.fallbackQueue },
          ),
        ),
    },
    (routing) => routeTo(req, env, routing, requireRoute(routing.outcome, routing.call).target, 'omniFlow'),
  );
  const { target } = requireRoute(checked.outcome, checked.call);
  const response: ExecuteOmniFlowResponse = { agent: target.agent, queue: target.queue };
  return { status: 200, body: response, mutations, voiceCallId: checked.call.id };
}

export function routeVoiceCall(req: OperationRequest<RouteVoiceCallRequest>, env: OperationEnv): OperationOutcome {
  const body = req.body;
  // Not processed without Unified Routing (UNIFIED_ROUTING_REQUIRED): nothing is routed, the answer is the same.
  const { checked, mutations } = routingRequest(
    req,
    env,
    'routeVoiceCall',
    {
      routing: (call, center) =>
        routeToTarget(env.org, center, call.callOrigin, body.routingTarget, body.fallbackQueue),
    },
    (routing) => routeTo(req, env, routing, requireRoute(routing.outcome, routing.call).target, 'routeVoiceCall'),
  );
  return { status: 200, body: SUCCESS, mutations, voiceCallId: checked.call.id };
}

export function requestCallback(req: OperationRequest<RequestCallbackRequest>, env: OperationEnv): OperationOutcome {
  let id: string | undefined;
  const { checked, mutations } = routingRequest(req, env, 'requestCallback', {}, (routing) => {
    id = env.store.ids.next(KEY_PREFIX.ContactRequest);
    const record: ContactRequestRecord = {
      id,
      tenant: req.tenant.key,
      voiceCallId: routing.call.id,
      callbackNumber: req.body.callbackNumber,
      preferredChannel: 'Phone',
      status: 'New',
      isPreviewCallback: req.body.isPreviewCallback ?? false,
      scheduledRoutingDateTime: req.body.scheduledRoutingDateTime ?? null,
      vendorCallKey: req.body.vendorCallKey ?? null,
      createdAt: req.now.toISOString(),
    };
    return [{ op: 'put', collection: 'contactRequests', record }];
  });
  // Not processed (UNIFIED_ROUTING_REQUIRED): the answer has its usual shape, and nothing is stored.
  const response: RequestCallbackResponse = { recordId: id ?? env.store.ids.next(KEY_PREFIX.ContactRequest) };
  return { status: 201, body: response, mutations, voiceCallId: checked.call.id };
}

/** Routes the call again, to a different rep than its last routing's (the accepted work, if any, is closed). */
export function rerouteVoiceCall(req: OperationRequest, env: OperationEnv): OperationOutcome {
  const { checked, mutations } = routingRequest(req, env, 'rerouteVoiceCall', {}, (routing) =>
    routing.call.lastRouting === null
      ? []
      : routeTo(req, env, routing, rerouteTarget(routing.center, routing.call.lastRouting), 'reroute'),
  );
  return { status: 200, body: SUCCESS, mutations, voiceCallId: checked.call.id };
}

export function clearRouting(req: OperationRequest, env: OperationEnv): OperationOutcome {
  const { checked, mutations } = routingRequest(req, env, 'clearRouting', {}, (routing) =>
    routing.pending === undefined ? [] : [{ op: 'delete', collection: 'routings', id: routing.pending.id }],
  );
  const response: ClearRoutingResponse = { success: true };
  return { status: 200, body: response, mutations, voiceCallId: checked.call.id };
}
