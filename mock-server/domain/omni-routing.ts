/**
 * How the simulated org routes a call: the precedence of Execute an Omni-Channel Flow (phone channel of
 * the dialed number, its flow then its fallback queue; then the request's flow; then the request's
 * fallback queue) and the targets of routeVoiceCall. Pure: org and call in, routing target out.
 */
import type { CallOrigin } from '../../contracts/wire-schemas.ts';
import type { ContactCenter, Flow, Queue, Rep } from '../org/org-fixture-schema.ts';
import type { SimulatedOrg } from '../org/simulated-org.ts';
import type { RoutingTarget } from '../store/records.ts';
import { merged } from '../object-merge.ts';

export type RoutingOutcome =
  | { ok: true; target: RoutingTarget; via: string; voicemailRoutingMissing: boolean }
  | { ok: false; tried: string[]; voicemailRoutingMissing: boolean };

interface Attempt {
  target?: RoutingTarget;
  problem?: string;
}

function toTarget(flow: Flow | null, queue: Queue | undefined, rep: Rep | undefined): Attempt {
  const agent = rep?.externalId ?? null;
  const queueExternal = queue?.externalId ?? null;
  if (agent === null && queueExternal === null) {
    const names = [rep && `rep ${rep.username}`, queue && `queue ${queue.developerName}`].filter(Boolean).join(' and ');
    return { problem: `${names} has no CallCenterRoutingMap external id, so it is not routed` };
  }
  return {
    target: {
      flowDevName: flow?.developerName ?? null,
      queueId: queue?.id ?? null,
      repId: rep?.id ?? null,
      agent,
      queue: queueExternal,
    },
  };
}

function runFlow(org: SimulatedOrg, center: ContactCenter, flow: Flow, callOrigin: CallOrigin | null): Attempt {
  if (flow.fails) return { problem: `flow ${flow.developerName} failed` };
  const origin = callOrigin ?? 'none';
  const route = flow.routes.find((r) => r.when === undefined || r.when.callOrigin === origin);
  if (route === undefined) return { problem: `flow ${flow.developerName} has no route for callOrigin ${origin}` };
  const queue = route.queue === undefined ? undefined : org.queue(center, route.queue);
  const rep = route.rep === undefined ? undefined : org.rep(center, route.rep);
  return toTarget(flow, queue, rep);
}

function toQueue(org: SimulatedOrg, center: ContactCenter, ref: string): Attempt {
  const queue = org.queue(center, ref);
  if (queue === undefined) return { problem: `queue ${ref} is not a queue of contact center ${center.apiName}` };
  return toTarget(null, queue, undefined);
}

export interface OmniFlowRequest {
  dialedNumber?: string;
  flowDevName?: string;
  fallbackQueue?: string;
}

export function routeByOmniFlow(
  org: SimulatedOrg,
  center: ContactCenter,
  callOrigin: CallOrigin | null,
  request: OmniFlowRequest,
): RoutingOutcome {
  const tried: string[] = [];
  let voicemailRoutingMissing = false;
  const attempt = (via: string, result: Attempt): RoutingOutcome | null => {
    if (result.target !== undefined) return { ok: true, target: result.target, via, voicemailRoutingMissing };
    tried.push(`${via}: ${result.problem ?? 'no route'}`);
    return null;
  };

  if (request.dialedNumber !== undefined) {
    const channel = org.channel(center, request.dialedNumber);
    if (channel === undefined) {
      tried.push(
        `dialedNumber ${request.dialedNumber}: no phone channel of contact center ${center.apiName} has this number`,
      );
    } else {
      const isVoicemail = callOrigin === 'Voicemail';
      voicemailRoutingMissing = isVoicemail && channel.voicemail === undefined;
      const kind = isVoicemail && channel.voicemail !== undefined ? 'voicemail' : 'live';
      const routing = channel[kind] ?? channel.live;
      const where = `phone channel ${channel.phoneNumber} (${kind} routing)`;
      if (routing.flow !== undefined) {
        const flow = org.flow(center, routing.flow);
        const done = flow && attempt(`${where}, flow ${flow.developerName}`, runFlow(org, center, flow, callOrigin));
        if (done) return done;
      }
      if (routing.fallbackQueue !== undefined) {
        const done = attempt(
          `${where}, fallback queue ${routing.fallbackQueue}`,
          toQueue(org, center, routing.fallbackQueue),
        );
        if (done) return done;
      }
    }
  }
  if (request.flowDevName !== undefined) {
    const flow = org.flow(center, request.flowDevName);
    const result =
      flow === undefined
        ? { problem: `no flow of contact center ${center.apiName} has this name` }
        : runFlow(org, center, flow, callOrigin);
    const done = attempt(`flowDevName ${request.flowDevName}`, result);
    if (done) return done;
  }
  if (request.fallbackQueue !== undefined) {
    const done = attempt(`fallbackQueue ${request.fallbackQueue}`, toQueue(org, center, request.fallbackQueue));
    if (done) return done;
  }
  return { ok: false, tried, voicemailRoutingMissing };
}

/**
 * Reroute: "reroutes the call to a different rep" (the Reroute page). The same queue, and the next rep of
 * the contact center with a routing-map external id after the one the call was with; a routing to a
 * queue alone stays with the queue, whose next available rep Omni-Channel picks.
 */
export function rerouteTarget(center: ContactCenter, last: RoutingTarget): RoutingTarget {
  if (last.repId === null) return last;
  const mapped = center.reps.filter((rep) => rep.externalId !== null);
  const current = mapped.findIndex((rep) => rep.id === last.repId);
  const next = mapped[(current + 1) % mapped.length];
  if (next === undefined || next.id === last.repId) return last;
  return merged(last, { repId: next.id, agent: next.externalId });
}

/** routeVoiceCall: the target is a rep, queue or flow id; a failing flow falls back to fallbackQueue. */
export function routeToTarget(
  org: SimulatedOrg,
  center: ContactCenter,
  callOrigin: CallOrigin | null,
  routingTarget: string,
  fallbackQueue: string | undefined,
): RoutingOutcome {
  const tried: string[] = [];
  const finish = (via: string, result: Attempt): RoutingOutcome | null => {
    if (result.target !== undefined) return { ok: true, target: result.target, via, voicemailRoutingMissing: false };
    tried.push(`${via}: ${result.problem ?? 'no route'}`);
    return null;
  };
  const rep = org.rep(center, routingTarget);
  const queue = org.queue(center, routingTarget);
  const flow = org.flow(center, routingTarget);
  let done: RoutingOutcome | null = null;
  if (rep !== undefined) done = finish(`rep ${rep.username}`, toTarget(null, undefined, rep));
  else if (queue !== undefined) done = finish(`queue ${queue.developerName}`, toTarget(null, queue, undefined));
  else if (flow !== undefined) done = finish(`flow ${flow.developerName}`, runFlow(org, center, flow, callOrigin));
  else
    tried.push(`routingTarget ${routingTarget}: no rep, queue or flow of contact center ${center.apiName} has this id`);
  if (done) return done;
  if (fallbackQueue !== undefined) {
    done = finish(`fallbackQueue ${fallbackQueue}`, toQueue(org, center, fallbackQueue));
    if (done) return done;
  }
  return { ok: false, tried, voicemailRoutingMissing: false };
}
