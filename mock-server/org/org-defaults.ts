/**
 * The default org's names (its id and first contact center) for the commands that only sign or ask:
 * read from the fixture's JSON without validating it (the server validates it when it starts), so that
 * `token`, `verify` and `conformance` do not load the schema library to learn two strings.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-files.ts';

export const DEFAULT_ORG_FILE = packageFile('fixtures/default-org.json');

export interface OrgDefaults {
  orgId: string;
  /** The first contact center's API name. */
  callCenterApiName: string;
}

export function orgDefaults(file: string = DEFAULT_ORG_FILE): OrgDefaults {
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as {
    orgId?: unknown;
    contactCenters?: Array<{ apiName?: unknown }>;
  };
  const orgId = fixture.orgId;
  const callCenterApiName = fixture.contactCenters?.[0]?.apiName;
  if (typeof orgId !== 'string' || typeof callCenterApiName !== 'string') {
    throw new Error(`${file} has no orgId or no contact center; pass --org and --call-center`);
  }
  return { orgId, callCenterApiName };
}
