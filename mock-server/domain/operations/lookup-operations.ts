/**
 * The GET lookups Salesforce's Amazon Connect Lambdas send (no reference page documents them): a number's
 * voicemail greeting, a rep's default outbound number, and the voicemail drop of a call's rep. Answered
 * from the simulated org.
 */
import type {
  DefaultOutboundPhoneNumberResponse,
  VoicemailDropResponse,
  VoicemailGreetingResponse,
} from '../../../contracts/wire-schemas.ts';
import type { ContactCenter } from '../../org/org-fixture-schema.ts';
import { requireCall } from '../call-resolution.ts';
import { ApiError } from '../../errors/api-error.ts';
import { type OperationEnv, type OperationOutcome, type OperationRequest } from '../operation-types.ts';

function centerOf(req: OperationRequest, env: OperationEnv): ContactCenter {
  // The tenant's contact center was checked against the org when its token (or tenant header) was.
  return env.org.contactCenter(req.tenant.callCenterApiName)!;
}

const notFound = (message: string) => new ApiError(404, 'RESOURCE_NOT_FOUND', [message]);

export function getVoicemailGreeting(req: OperationRequest, env: OperationEnv): OperationOutcome {
  const center = centerOf(req, env);
  const number = req.query.toPhoneNumber!;
  const channel = env.org.channel(center, number);
  if (channel?.voicemailGreetingUrl === undefined) {
    throw notFound(
      channel === undefined
        ? `No phone channel of contact center ${center.apiName} has the number ${number}. Send the number the caller dialed (E.164).`
        : `Phone channel ${channel.phoneNumber} has no voicemail greeting. Set voicemailGreetingUrl on it in the org fixture.`,
    );
  }
  const body: VoicemailGreetingResponse = { greetingUrl: channel.voicemailGreetingUrl };
  return { status: 200, body, mutations: [] };
}

export function getDefaultOutboundPhoneNumber(req: OperationRequest, env: OperationEnv): OperationOutcome {
  const center = centerOf(req, env);
  const externalRepId = req.query.externalRepId!;
  const rep = env.org.repByExternalId(center, externalRepId);
  if (rep?.defaultOutboundPhoneNumber === undefined) {
    throw notFound(
      rep === undefined
        ? `No rep of contact center ${center.apiName} has the external id ${externalRepId}. Send the rep's routing-map external id (the Amazon Connect agent ARN).`
        : `Rep ${rep.username} has no default outbound phone number. Set defaultOutboundPhoneNumber on the rep in the org fixture.`,
    );
  }
  const body: DefaultOutboundPhoneNumberResponse = { phoneNumber: rep.defaultOutboundPhoneNumber };
  return { status: 200, body, mutations: [] };
}

export function getVoicemailDrop(req: OperationRequest, env: OperationEnv): OperationOutcome {
  const call = requireCall(env.store, req.tenant.key, req.params.CALL_ID!);
  const center = env.org.contactCenter(call.callCenterApiName);
  const rep = center === undefined || call.agent === null ? undefined : env.org.rep(center, call.agent);
  if (rep?.voicemailDropUrl === undefined) {
    throw notFound(
      rep === undefined
        ? `Call ${call.id} is with no rep of the simulated org, so it has no voicemail drop. Route it to a rep (or send agent in an update) first.`
        : `Rep ${rep.username} has no voicemail drop recording. Set voicemailDropUrl on the rep in the org fixture.`,
    );
  }
  const body: VoicemailDropResponse = { recordingUrl: rep.voicemailDropUrl };
  return { status: 200, body, mutations: [], voiceCallId: call.id };
}
