/**
 * Loads the simulated org from its fixture file and answers look-ups by name or id. Salesforce ids are
 * compared on their first 15 characters, so the 15- and 18-character forms are the same record.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { id15Of, isSalesforceId } from '../ids/salesforce-id.ts';
import {
  orgFixtureSchema,
  type ContactCenter,
  type Flow,
  type OrgFixture,
  type PhoneChannel,
  type Queue,
  type Rep,
} from './org-fixture-schema.ts';

import { keyFileProblems } from './fixture-key-files.ts';
import { DEFAULT_ORG_FILE } from './org-defaults.ts';

export { DEFAULT_ORG_FILE };

/** A fixture file that cannot be used; the message lists every problem with its path. */
export class OrgFixtureError extends Error {}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '(file)' : out;
}

export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/**
 * The fixture, checked: its shape and cross-references, and (given the file it came from, which key
 * paths are relative to) its key files, every problem in one error.
 */
export function parseOrgFixture(json: unknown, source: string, options: { keyFilesFrom?: string } = {}): OrgFixture {
  const result = orgFixtureSchema.safeParse(json);
  const problems = [
    ...(result.success ? [] : describeZodIssues(result.error.issues)),
    ...(options.keyFilesFrom === undefined ? [] : keyFileProblems(json, options.keyFilesFrom)),
  ];
  if (!result.success || problems.length > 0) {
    const lines = problems.map((line) => `  - ${line}`);
    throw new OrgFixtureError(`${source} is not a valid org fixture:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function loadOrgFixture(file: string = DEFAULT_ORG_FILE): SimulatedOrg {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OrgFixtureError(
      `cannot read the org fixture ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OrgFixtureError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return new SimulatedOrg(parseOrgFixture(json, file, { keyFilesFrom: file }));
}

const normalizeNumber = (phone: string): string => phone.replace(/[\s().-]/g, '');
const sameId = (a: string, b: string): boolean => id15Of(a) === id15Of(b);

export class SimulatedOrg {
  private readonly centers: Map<string, ContactCenter>;

  constructor(readonly fixture: OrgFixture) {
    this.centers = new Map(fixture.contactCenters.map((center) => [center.apiName, center]));
  }

  get orgId(): string {
    return this.fixture.orgId;
  }

  get contactCenters(): readonly ContactCenter[] {
    return this.fixture.contactCenters;
  }

  /** The contact center requests go to when nothing names one (the first in the file). */
  get defaultContactCenter(): ContactCenter {
    return this.fixture.contactCenters[0]!;
  }

  contactCenter(apiName: string): ContactCenter | undefined {
    return this.centers.get(apiName);
  }

  channel(center: ContactCenter, dialedNumber: string): PhoneChannel | undefined {
    const wanted = normalizeNumber(dialedNumber);
    return center.phoneChannels.find((channel) => normalizeNumber(channel.phoneNumber) === wanted);
  }

  flow(center: ContactCenter, nameOrId: string): Flow | undefined {
    return center.flows.find(
      (f) => f.developerName === nameOrId || (isSalesforceId(nameOrId, '300') && sameId(f.id, nameOrId)),
    );
  }

  /** A queue by developer name, Salesforce id, or routing-map external id. */
  queue(center: ContactCenter, ref: string): Queue | undefined {
    return center.queues.find(
      (q) => q.developerName === ref || q.externalId === ref || (isSalesforceId(ref, '00G') && sameId(q.id, ref)),
    );
  }

  /** A rep by the external id the routing map gives it (e.g. an Amazon Connect agent ARN). */
  repByExternalId(center: ContactCenter, externalId: string): Rep | undefined {
    return center.reps.find((r) => r.externalId === externalId);
  }

  /** A rep by username or Salesforce user id. */
  rep(center: ContactCenter, ref: string): Rep | undefined {
    return center.reps.find((r) => r.username === ref || (isSalesforceId(ref, '005') && sameId(r.id, ref)));
  }
}
