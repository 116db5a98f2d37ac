/**
 * Verifies a tenant's calls against a scenario from the journal, for the admin API and the in-process
 * harness alike: which entries belong to the call, and how many of its requests the journal dropped
 * (then the report says its evidence is incomplete instead of reporting steps as missing).
 */
import type { CallSelection, VerificationReport, VerificationSummary } from '../../contracts/admin-schemas.ts';
import { callsInJournal, entriesOfCall, verifyScenario } from '../../contracts/scenario-verifier.ts';
import type { Scenario } from '../../contracts/scenarios.ts';
import { findCall } from '../domain/call-resolution.ts';
import type { RequestJournal } from '../journal/request-journal.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';
import { merged } from '../object-merge.ts';

export interface CallVerifier {
  /** One call by any vendorCallKey of its conversation; null when the journal has nothing of it, kept or dropped. */
  call(scenario: Scenario, vendorCallKey: string): VerificationReport | null;
  /** Every call in the tenant's journal, or those the selection names. */
  all(scenario: Scenario, selection?: CallSelection): VerificationSummary;
}

/** The selection part of a request that may carry more (the admin body, the harness's target). */
export function callSelectionOf(input: {
  vendorCallKeyPrefix?: string | undefined;
  since?: string | undefined;
}): CallSelection {
  return merged(
    input.vendorCallKeyPrefix === undefined ? {} : { vendorCallKeyPrefix: input.vendorCallKeyPrefix },
    input.since === undefined ? {} : { since: input.since },
  );
}

export function callVerifier(journal: RequestJournal, store: TelephonyStore, tenant: string): CallVerifier {
  const entries = journal.list(tenant).entries;
  const creates = entries.filter((entry) => entry.operation === 'createVoiceCall');
  const call = (scenario: Scenario, vendorCallKey: string): VerificationReport | null => {
    const found = entriesOfCall(entries, vendorCallKey);
    const stored = findCall(store, tenant, vendorCallKey);
    const conversationId = found.conversationId ?? stored?.conversationId ?? null;
    const keys = new Set([vendorCallKey]);
    if (conversationId !== null)
      for (const leg of store.legsOfConversation(tenant, conversationId)) keys.add(leg.vendorCallKey);
    const dropped = journal.droppedOfCall(tenant, conversationId, [...keys]);
    if (found.entries.length === 0 && dropped === 0) return null;
    return verifyScenario(
      scenario,
      found.entries,
      { vendorCallKey, conversationId },
      {
        dropped,
        journalSize: journal.capacity,
        otherCreates: creates.filter((entry) => !found.entries.includes(entry)),
      },
    );
  };
  return {
    call,
    all: (scenario, selection = {}) => {
      const { vendorCallKeyPrefix, since } = selection;
      const sinceMs = since === undefined ? undefined : Date.parse(since);
      // When each call's first kept request arrived (the journal is in arrival order).
      const firstSeen = new Map<string, number>();
      for (const entry of entries)
        if (entry.vendorCallKey !== null && !firstSeen.has(entry.vendorCallKey))
          firstSeen.set(entry.vendorCallKey, Date.parse(entry.time));
      const picked = callsInJournal(entries).filter(
        (key) =>
          (vendorCallKeyPrefix === undefined || key.startsWith(vendorCallKeyPrefix)) &&
          (sinceMs === undefined || (firstSeen.get(key) ?? 0) >= sinceMs),
      );
      const reports = picked.flatMap((key) => call(scenario, key) ?? []);
      const chosen = vendorCallKeyPrefix !== undefined || since !== undefined;
      return {
        ok: reports.length > 0 && reports.every((r) => r.ok),
        scenario: scenario.name,
        ...(chosen ? { selection } : {}),
        reports,
      };
    },
  };
}
