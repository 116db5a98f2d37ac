/** Test helpers: an in-process mock (in memory unless a file is given) and supertest clients with real tokens. */
import request from 'supertest';
import { tenantOf } from '../../mock-server/tenancy/tenant.ts';
import { signToken } from '../../mock-server/auth/token-signer.ts';
import { loadRequestScripts, type RequestScript } from '../../mock-server/conformance/conformance-runner.ts';
import type { Tenant } from '../../mock-server/tenancy/tenant.ts';
import { createMockServer, type MockServer, type MockServerOptions } from '../../mock-server/server.ts';

export const API = '/telephony/v1';
export const DEFAULT_ORG = '00DSM0000000MCK2A2';

/** Requests as one tenant: a real RS256 token signed with the demo key for (org, contact center). */
export interface Client {
  token: string;
  post(path: string, body?: unknown): request.Test;
  patch(path: string, body?: unknown): request.Test;
  call(method: string, path: string, body?: unknown): request.Test;
}

export interface Harness extends Client {
  server: MockServer;
  /** The tenant the harness's own requests go to. */
  tenant: Tenant;
  /** Requests as another tenant (contact center, and optionally org). */
  as(callCenterApiName: string, orgId?: string): Promise<Client>;
}

/** Authorization for raw supertest requests: a MyContactCenter token of the default org, valid all day. */
export const AUTH = {
  Authorization: `Bearer ${await signToken({ orgId: DEFAULT_ORG, callCenterApiName: 'MyContactCenter', ttlSeconds: 24 * 3600 - 120 })}`,
};
export const UNIFIED = { callCenter: 'UnifiedContactCenter' } as const;

async function clientFor(server: MockServer, callCenterApiName: string, orgId: string): Promise<Client> {
  const token = await signToken({ orgId, callCenterApiName });
  const call = (method: string, path: string, body?: unknown) => {
    const fn = method.toLowerCase() as 'post' | 'patch' | 'get' | 'put' | 'delete';
    const req = request(server.app)[fn](`${API}${path}`).set('Authorization', `Bearer ${token}`);
    return body === undefined ? req : req.send(body as object);
  };
  return {
    token,
    call,
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
  };
}

/**
 * An in-process mock (in memory unless a file is given). Its requests carry a token of the default org
 * for MyContactCenter, or for the contact center and org given.
 */
export async function startMock(
  options: MockServerOptions = {},
  as: { callCenter?: string; orgId?: string } = {},
): Promise<Harness> {
  const server = await createMockServer({ dataFile: null, seed: 'test', ...options });
  const callCenter = as.callCenter ?? 'MyContactCenter';
  const orgId = as.orgId ?? DEFAULT_ORG;
  const client = await clientFor(server, callCenter, orgId);
  return {
    ...client,
    server,
    tenant: tenantOf(orgId, callCenter),
    as: (center, org = DEFAULT_ORG) => clientFor(server, center, org),
  };
}

export type { ScriptStep as ScenarioStep, RequestScript } from '../../mock-server/conformance/conformance-runner.ts';

/** A request script of fixtures/scripts by its name. */
export function loadScript(name: string): RequestScript {
  const fixture = loadRequestScripts().find((f) => f.name === name);
  if (fixture === undefined) throw new Error(`no request script named ${name}`);
  return fixture;
}

/** A create body for an inbound call on the seed's number; fields can be overridden. */
export function inboundCall(vendorCallKey: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    callCenterApiName: 'MyContactCenter',
    vendorCallKey,
    to: '999999999',
    from: '+15551234567',
    initiationMethod: 'Inbound',
    startTime: '2022-08-02T17:32:28Z',
    participants: [{ participantKey: '+15551234567', type: 'END_USER' }],
    ...extra,
  };
}

/** Epoch ms inside the window of inboundCall (it starts 2022-08-02T17:32:28Z). */
export const IN_CALL = Date.parse('2022-08-02T17:32:40Z');

export function message(messageId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    participantId: 'participant',
    messageId,
    startTime: IN_CALL,
    endTime: IN_CALL + 2000,
    content: `utterance ${messageId}`,
    senderType: 'END_USER',
    ...extra,
  };
}
