/** What the store tests create calls with (createCallForUpdate's facts), for tenant `t`. */
export const CALL_FACTS = {
  tenant: 't',
  callCenterApiName: 'MyContactCenter',
  callType: 'Inbound' as const,
  providerName: null,
  createdVia: 'create' as const,
  now: '2024-05-01T10:00:00.000Z',
};
