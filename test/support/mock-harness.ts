/** Test helpers: an in-process mock (in memory unless a file is given) and a supertest client with a token. */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { createMockServer, type MockServer, type MockServerOptions } from '../../mock-server/server.ts';

export const API = '/telephony/v1';
export const AUTH = { Authorization: 'Bearer test-token' };

export interface Harness {
  server: MockServer;
  post(path: string, body?: unknown): request.Test;
  patch(path: string, body?: unknown): request.Test;
  call(method: string, path: string, body?: unknown): request.Test;
}

export async function startMock(options: MockServerOptions = {}): Promise<Harness> {
  const server = await createMockServer({ dataFile: null, seed: 'test', ...options });
  const call = (method: string, path: string, body?: unknown) => {
    const agent = request(server.app);
    const fn = method.toLowerCase() as 'post' | 'patch' | 'get' | 'put' | 'delete';
    const req = agent[fn](`${API}${path}`).set(AUTH);
    return body === undefined ? req : req.send(body as object);
  };
  return {
    server,
    call,
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
  };
}

export interface ScenarioStep {
  title: string;
  operationId: string;
  method: string;
  path: string;
  body?: unknown;
  expect: { status: number };
}

export function loadScenario(name: string): { name: string; steps: ScenarioStep[] } {
  return JSON.parse(readFileSync(new URL(`../../fixtures/scenarios/${name}.json`, import.meta.url), 'utf8')) as {
    name: string;
    steps: ScenarioStep[];
  };
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
