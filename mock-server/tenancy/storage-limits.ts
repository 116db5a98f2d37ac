/**
 * What a tenant may store, in bytes and per call, on top of the call count (call-quota.ts): the sizes a
 * client chooses cannot grow the process past what the operator allowed. A write is admitted or refused
 * whole, before anything is applied; a write that shrinks what a tenant holds always passes.
 */
import { ApiError } from '../errors/api-error.ts';
import type { Mutation } from '../store/records.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';

export interface StorageLimits {
  /** JSON bytes one tenant's records may take (--max-tenant-bytes). */
  maxTenantBytes: number;
  /** JSON bytes every tenant's records together may take (--max-store-bytes). */
  maxStoreBytes: number;
  /** Transcript messages one conversation may hold (--max-transcripts-per-call). */
  maxTranscriptsPerCall: number;
  /** Conversation events one conversation may hold (--max-events-per-call). */
  maxEventsPerCall: number;
}

/** No storage limit: for tools that fill a store on purpose (the benchmark's preload). */
export const NO_STORAGE_LIMITS: StorageLimits = {
  maxTenantBytes: Number.POSITIVE_INFINITY,
  maxStoreBytes: Number.POSITIVE_INFINITY,
  maxTranscriptsPerCall: Number.POSITIVE_INFINITY,
  maxEventsPerCall: Number.POSITIVE_INFINITY,
};

/** A size as people write it: 48 KB, 1.5 MB, 2 GB. */
export function sizeText(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || value >= 100 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

function full(code: 'TENANT_FULL' | 'CALL_FULL' | 'STORE_FULL', message: string): ApiError {
  return new ApiError(429, code, [message]);
}

/** New transcript messages and events per conversation in these mutations. */
function newEntries(store: TelephonyStore, mutations: readonly Mutation[]) {
  // Made only for a write that adds entries: most (a call's create or update) add none.
  let added: Map<string, { collection: 'transcripts' | 'events'; conversationId: string; count: number }> | undefined;
  for (const mutation of mutations) {
    if (mutation.op !== 'put' || (mutation.collection !== 'transcripts' && mutation.collection !== 'events')) continue;
    if (store.hasRecord(mutation.collection, mutation.record.id)) continue;
    const { conversationId } = mutation.record;
    const key = `${mutation.collection}\u0000${conversationId}`;
    added ??= new Map();
    const known = added.get(key);
    if (known === undefined) added.set(key, { collection: mutation.collection, conversationId, count: 1 });
    else known.count += 1;
  }
  return added?.values() ?? [];
}

/**
 * Throws the 429 that names the limit these mutations would pass; otherwise returns their size change,
 * to commit with (the `change` of a store.transact attempt).
 */
export function admitWrite(
  store: TelephonyStore,
  limits: StorageLimits,
  mutations: readonly Mutation[],
): ReadonlyMap<string, number> {
  for (const { collection, conversationId, count } of newEntries(store, mutations)) {
    const limit = collection === 'transcripts' ? limits.maxTranscriptsPerCall : limits.maxEventsPerCall;
    const held = store.entriesOf(collection, conversationId);
    if (held + count > limit) {
      const what = collection === 'transcripts' ? 'transcript messages' : 'events';
      const flag = collection === 'transcripts' ? '--max-transcripts-per-call' : '--max-events-per-call';
      throw full(
        'CALL_FULL',
        `Conversation ${conversationId} already holds ${held} ${what}, the most one call may have (${flag} ${limit}). ` +
          'Start a new call, reset the tenant (POST /__admin/reset), or start the mock with a higher limit.',
      );
    }
  }
  const change = store.sizeChange(mutations);
  let growth = 0;
  for (const [tenant, bytes] of change) {
    if (bytes <= 0) continue;
    growth += bytes;
    const held = store.bytesOf(tenant);
    if (held + bytes > limits.maxTenantBytes) {
      throw full(
        'TENANT_FULL',
        `Tenant ${tenant} holds ${sizeText(held)} of records and this write would pass its limit (--max-tenant-bytes ${sizeText(limits.maxTenantBytes)}). ` +
          'Reset the tenant (POST /__admin/reset), or start the mock with a higher limit.',
      );
    }
  }
  if (growth > 0 && store.totalBytes() + growth > limits.maxStoreBytes) {
    throw full(
      'STORE_FULL',
      `The mock holds ${sizeText(store.totalBytes())} of records for all tenants, its limit (--max-store-bytes ${sizeText(limits.maxStoreBytes)}). ` +
        'Ask the operator to reset idle tenants or raise the limit; retrying later helps only once space is freed.',
    );
  }
  return change;
}
