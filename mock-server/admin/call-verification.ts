/**
 * Verifies a tenant's calls against a scenario from the journal, for the admin API and the in-process
 * harness alike: which entries belong to the call, and how many of its requests the journal dropped
 * (then the report says its evidence is incomplete instead of reporting steps as missing).
 */
import type { VerificationReport, VerificationSummary } from '../../contracts/admin-schemas.ts';
import { callsInJournal, entriesOfCall, verifyScenario } from '../../contracts/scenario-verifier.ts';
import type { Scenario } from '../../contracts/scenarios.ts';
import { findCall } from '../domain/call-resolution.ts';
import type { RequestJournal } from '../journal/request-journal.ts';
import type { TelephonyStore } from '../store/telephony-store.ts';

export interface CallVerifier {
  /** One call by any vendorCallKey of its conversation; null when the journal has nothing of it, kept or dropped. */
  call(scenario: Scenario, vendorCallKey: string): VerificationReport | null;
  /** Every call in the tenant's journal. */
  all(scenario: Scenario): VerificationSummary;
}

export function callVerifier(journal: RequestJournal, store: TelephonyStore, tenant: string): CallVerifier {
  const entries = journal.list(tenant).entries;
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
      { dropped, journalSize: journal.capacity },
    );
  };
  return {
    call,
    all: (scenario) => {
      const reports = callsInJournal(entries).flatMap((key) => call(scenario, key) ?? []);
      return { ok: reports.length > 0 && reports.every((r) => r.ok), scenario: scenario.name, reports };
    },
  };
}
