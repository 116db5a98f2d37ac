/** Whose data a request sees: an org and one of its contact centers; both org id lengths name one tenant. */
import { id15Of, to18 } from '../ids/salesforce-id.ts';

export interface Tenant {
  key: string;
  orgId: string;
  callCenterApiName: string;
}

export const tenantKey = (orgId: string, callCenterApiName: string): string => `${orgId}/${callCenterApiName}`;

export function tenantOf(orgId: string, callCenterApiName: string): Tenant {
  const org18 = to18(id15Of(orgId));
  return { key: tenantKey(org18, callCenterApiName), orgId: org18, callCenterApiName };
}
