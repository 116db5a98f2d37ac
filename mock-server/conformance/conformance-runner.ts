/**
 * The conformance runner: plays the request scripts as a client against any target (this mock, or a
 * real org's /telephony/v1) and reports every response whose status or body shape differs from what
 * the mock assumes. Run against a real org, it shows where the mock's assumptions have drifted.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { OPERATION_CONTRACTS, OPERATION_OF_OPERATION_ID, type OperationId } from '../../contracts/operations.ts';
import { errorResponseSchema } from '../../contracts/wire-schemas.ts';
import { signToken } from '../auth/token-signer.ts';
import { packageFile } from '../package-files.ts';

export interface ScriptStep {
  title: string;
  operationId: string;
  method: string;
  path: string;
  body?: unknown;
  expect: { status: number };
}

export interface RequestScript {
  name: string;
  scenario: string;
  contactCenter?: string;
  steps: ScriptStep[];
}

export const REQUEST_SCRIPT_DIR = packageFile('fixtures/scripts');

export function loadRequestScripts(dir: string = REQUEST_SCRIPT_DIR): RequestScript[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as RequestScript);
}

export interface ConformanceOptions {
  /** The target: its root (…/telephony/v1 is added) or its API base. */
  baseUrl: string;
  orgId: string;
  /** Overrides the fixtures' contact centers (a real org names its own). */
  callCenterApiName?: string;
  /** The contact center of fixtures that name none. */
  defaultCallCenterApiName: string;
  privateKeyPem?: string;
  /** Only these scenarios (fixture name or scenario name). */
  scenarios?: readonly string[];
  /** Appended to every vendorCallKey, so runs never collide; random by default. */
  runId?: string;
  /** Called after each step, for a progress line. */
  onStep?: (result: StepResult) => void;
}

export interface StepResult {
  fixture: string;
  step: string;
  operationId: string;
  method: string;
  path: string;
  expectedStatus: number;
  status: number | null;
  /** What differs from the mock's assumptions; empty when the response conforms. */
  differences: string[];
}

export interface ConformanceReport {
  ok: boolean;
  baseUrl: string;
  runId: string;
  steps: StepResult[];
}

function apiBase(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/telephony/v1') ? trimmed : `${trimmed}/telephony/v1`;
}

/** The fixture with every vendorCallKey made unique to this run, and its contact center replaced. */
function prepare(fixture: RequestScript, runId: string, callCenter: string): RequestScript {
  const keys = new Set<string>();
  for (const step of fixture.steps) {
    const body = step.body as { vendorCallKey?: unknown } | undefined;
    if (step.operationId === 'createVoiceCall' && typeof body?.vendorCallKey === 'string') keys.add(body.vendorCallKey);
  }
  // One pass, longest key first, so a key that extends another is replaced whole and only once.
  const pattern = new RegExp(
    [...keys]
      .sort((a, b) => b.length - a.length)
      .map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  const text =
    keys.size === 0 ? JSON.stringify(fixture) : JSON.stringify(fixture).replace(pattern, (key) => `${key}-${runId}`);
  const prepared = JSON.parse(text) as RequestScript;
  for (const step of prepared.steps) {
    const body = step.body as { callCenterApiName?: unknown } | undefined;
    if (body !== undefined && typeof body.callCenterApiName === 'string') body.callCenterApiName = callCenter;
  }
  return prepared;
}

function shapeProblems(schema: z.ZodType | undefined, body: unknown, what: string): string[] {
  if (schema === undefined) return [`no ${what} schema is known for this status`];
  const result = schema.safeParse(body);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${what} ${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

async function runStep(base: string, token: string, fixture: string, step: ScriptStep): Promise<StepResult> {
  const result: StepResult = {
    fixture,
    step: step.title,
    operationId: step.operationId,
    method: step.method,
    path: step.path,
    expectedStatus: step.expect.status,
    status: null,
    differences: [],
  };
  let response: Response;
  try {
    response = await fetch(`${base}${step.path}`, {
      method: step.method,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Telephony-Provider-Name': 'scv-telephony-mock-conformance',
      },
      ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
    });
  } catch (error) {
    result.differences.push(`no answer: ${(error as Error).message}`);
    return result;
  }
  result.status = response.status;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    result.differences.push(`the body is not JSON: ${text.slice(0, 80)}`);
  }
  if (response.status !== step.expect.status)
    result.differences.push(`status ${response.status}, the mock assumes ${step.expect.status}`);
  const operation = OPERATION_OF_OPERATION_ID[step.operationId as OperationId];
  if (response.status < 400) {
    result.differences.push(
      ...shapeProblems(
        operation === undefined ? undefined : OPERATION_CONTRACTS[operation].responses[response.status],
        body,
        'response',
      ),
    );
  } else {
    result.differences.push(...shapeProblems(errorResponseSchema, body, 'error body'));
  }
  return result;
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const base = apiBase(options.baseUrl);
  const wanted = options.scenarios;
  const fixtures = loadRequestScripts().filter(
    (f) => wanted === undefined || wanted.includes(f.name) || wanted.includes(f.scenario),
  );
  const steps: StepResult[] = [];
  for (const original of fixtures) {
    const callCenter = options.callCenterApiName ?? original.contactCenter ?? options.defaultCallCenterApiName;
    const fixture = prepare(original, runId, callCenter);
    for (const step of fixture.steps) {
      // A fresh token per request, with a jti, as a careful connector signs them.
      const token = await signToken({
        orgId: options.orgId,
        callCenterApiName: callCenter,
        ttlSeconds: 300,
        jti: true,
        ...(options.privateKeyPem === undefined ? {} : { privateKeyPem: options.privateKeyPem }),
      });
      const result = await runStep(base, token, fixture.name, step);
      steps.push(result);
      options.onStep?.(result);
    }
  }
  return { ok: steps.length > 0 && steps.every((s) => s.differences.length === 0), baseUrl: base, runId, steps };
}
