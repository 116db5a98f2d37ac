import { createCallForUpdate } from '../../mock-server/domain/call-transitions.ts';
import type { TelephonyStore } from '../../mock-server/store/telephony-store.ts';

/** What the store tests create calls with (createCallForUpdate's facts), for tenant `t`. */
export const CALL_FACTS = {
  tenant: 't',
  callCenterApiName: 'MyContactCenter',
  callType: 'Inbound' as const,
  providerName: null,
  createdVia: 'create' as const,
  now: '2024-05-01T10:00:00.000Z',
};

/** Commits a new call (and its conversation) of tenant `t` with this vendorCallKey; resolves to the key. */
export function commitCall(store: TelephonyStore, vendorCallKey: string): Promise<string> {
  const { call, conversation } = createCallForUpdate({ ...CALL_FACTS, vendorCallKey }, store.ids);
  return store.transact('t', () => ({
    mutations: [
      { op: 'put', collection: 'calls', record: call },
      { op: 'put', collection: 'conversations', record: conversation },
    ],
    result: vendorCallKey,
  }));
}
