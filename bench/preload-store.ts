/**
 * Writes a store file holding N calls, each with a transcript message, as a connector would have left
 * them (closed calls, through the real operations), so the benchmark can start a mock on a full store.
 */
import { NO_STORAGE_LIMITS } from '../mock-server/tenancy/storage-limits.ts';
import { RulePolicy } from '../contracts/rule-settings.ts';
import { tenantOf } from '../mock-server/tenancy/tenant.ts';
import type { OperationEnv, OperationRequest } from '../mock-server/domain/operation-types.ts';
import { RuleLedger } from '../mock-server/domain/rule-enforcement.ts';
import { createTranscript } from '../mock-server/domain/operations/transcript-operations.ts';
import { createVoiceCall, updateVoiceCall } from '../mock-server/domain/operations/voice-call-operations.ts';
import { loadOrgFixture } from '../mock-server/org/simulated-org.ts';
import { openStore } from '../mock-server/store/telephony-store.ts';

export interface PreloadOptions {
  file: string;
  calls: number;
  orgId: string;
  onProgress?: (done: number) => void;
}

export async function preloadStore(options: PreloadOptions): Promise<void> {
  const store = await openStore({ file: options.file, seed: 'bench-preload' });
  const env: OperationEnv = {
    store,
    org: loadOrgFixture(),
    rules: new RulePolicy('strict'),
    maxCallsPerTenant: Number.MAX_SAFE_INTEGER,
    limits: NO_STORAGE_LIMITS,
  };
  const tenant = tenantOf(options.orgId, 'MyContactCenter');
  const request = <B>(body: B, params: Record<string, string> = {}): OperationRequest<B> => ({
    tenant,
    params,
    body,
    query: {},
    undocumentedFields: [],
    providerName: 'bench',
    now: new Date(),
    rules: new RuleLedger(),
  });
  const start = Date.parse('2024-01-01T00:00:00Z');
  let pending: Array<Promise<void>> = [];
  for (let i = 0; i < options.calls; i++) {
    const key = `preload-${i}`;
    const startTime = new Date(start + i * 1000).toISOString();
    // Each step commits before the next reads the store, as requests do.
    for (const outcome of [
      () =>
        createVoiceCall(
          request({
            callCenterApiName: 'MyContactCenter',
            vendorCallKey: key,
            to: '999999999',
            from: '+15551234567',
            initiationMethod: 'Inbound' as const,
            startTime,
            participants: [{ participantKey: '+15551234567', type: 'END_USER' as const }],
          }),
          env,
        ),
      () =>
        createTranscript(
          request(
            {
              participantId: `${key}END_USER`,
              messageId: `${key}-m1`,
              startTime: start + i * 1000 + 500,
              endTime: start + i * 1000 + 900,
              content: 'A message of moderate length, as a caller would leave it.',
              senderType: 'END_USER' as const,
            },
            { vendorCallKey: key },
          ),
          env,
        ),
      () =>
        updateVoiceCall(request({ endTime: new Date(start + i * 1000 + 60_000).toISOString() }, { CALL_ID: key }), env),
    ]) {
      // A commit applies at once (the next step reads it); the log writes them in groups.
      pending.push(store.transact(tenant.key, () => ({ mutations: outcome().mutations, result: undefined })));
    }
    if ((i + 1) % 2000 === 0) {
      await Promise.all(pending);
      pending = [];
      options.onProgress?.(i + 1);
    }
  }
  await Promise.all(pending);
  await store.close();
}

// Run as a script (the benchmark does, so that the preload's memory is not in the load generator's heap):
//   node --import tsx bench/preload-store.ts <file> <calls> <orgId>
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const [file, calls, orgId] = process.argv.slice(2);
  await preloadStore({
    file: file!,
    calls: Number(calls),
    orgId: orgId!,
    onProgress: (n) => {
      if (n % 20_000 === 0) process.stdout.write(`  ${n} calls\n`);
    },
  });
}
