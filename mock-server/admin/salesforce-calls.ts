/**
 * POST /__admin/calls: the calls Salesforce creates itself, which no Telephony API request can create (an
 * outbound call from the softphone, a callback, a consult). Transcripts are documented for them, so a
 * connector test needs one to post to.
 */
import type { SalesforceCallRequest, SalesforceCallResponse } from '../../contracts/admin-schemas.ts';
import { createSalesforceCall } from '../domain/call-transitions.ts';
import { ApiError } from '../errors/api-error.ts';
import { ensureRoomForCall } from '../tenancy/call-quota.ts';
import { type Tenant } from '../tenancy/tenant.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import { admitWrite, type StorageLimits } from '../tenancy/storage-limits.ts';

export function createSalesforceCallOf(
  store: TelephonyStore,
  tenant: Tenant,
  request: SalesforceCallRequest,
  maxCallsPerTenant: number,
  limits: StorageLimits,
  time: Date,
): Promise<SalesforceCallResponse> {
  return store.transact(tenant.key, () => {
    const existing = store.legsByVendorKey(tenant.key, request.vendorCallKey)[0];
    if (existing !== undefined) {
      throw ApiError.details(400, 'INVALID_REQUEST', [
        {
          field: 'vendorCallKey',
          problem: `is already the key of call ${existing.id}; give the new call a key of its own`,
        },
      ]);
    }
    ensureRoomForCall({ store, maxCallsPerTenant }, tenant.key);
    const now = time.toISOString();
    const { call, mutations } = createSalesforceCall(
      {
        tenant: tenant.key,
        callCenterApiName: tenant.callCenterApiName,
        vendorCallKey: request.vendorCallKey,
        callType: request.callType,
        providerName: null,
        createdVia: 'admin',
        now,
      },
      { from: request.from ?? null, to: request.to ?? null, startTime: request.startTime ?? now },
      store.ids,
    );
    const result: SalesforceCallResponse = {
      voiceCallId: call.id,
      vendorCallKey: call.vendorCallKey,
      conversationId: call.conversationId,
      callType: request.callType,
    };
    return { mutations, change: admitWrite(store, limits, mutations), result };
  });
}
