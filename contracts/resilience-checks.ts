/**
 * How a connector handled the faults fault rules injected into its call's requests, judged from the
 * journal (each entry records its fault): a 429, 503 or expired-token 401 must be sent again, a 429 or
 * 503 not before its Retry-After, and the same request again (the same vendorCallKey, the same
 * messageIds); after an answer that was lost once the write was kept, a message must not come back
 * under a new messageId, nor a call under a new vendorCallKey, which would store it twice.
 */
import type { JournalEntry, VerificationProblem } from './admin-schemas.ts';

/** Statuses a connector is expected to retry: the service turned the request away before doing it. */
const RETRIED_STATUSES = new Set([401, 429, 503]);

/** Arrival times are kept to the millisecond; a retry this close to Retry-After is on time. */
const TOLERANCE_MS = 5;

type Message = { messageId?: unknown; content?: unknown; participantId?: unknown; startTime?: unknown };

const label = (entry: JournalEntry): string => `${entry.method} ${entry.path} (#${entry.seq})`;
const fieldOf = (body: unknown, field: string): unknown =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;

/** The transcript messages a request carries: one (a single message) or those of every bulk entry. */
function messagesOf(entry: JournalEntry): Message[] {
  const body = entry.request.body;
  if (entry.operation === 'createTranscript') return [body as Message];
  if (entry.operation !== 'createTranscriptsBulk') return [];
  const entries = fieldOf(body, 'entries');
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((item: unknown) => {
    const messages = fieldOf(item, 'messages');
    return Array.isArray(messages) ? (messages as Message[]) : [];
  });
}

const messageIds = (entry: JournalEntry): string[] =>
  messagesOf(entry)
    .map((m) => m.messageId)
    .filter((id): id is string => typeof id === 'string');

/** What makes two transcript messages the same words: who, when and what. */
const sameWords = (a: Message, b: Message): boolean =>
  a.content === b.content && a.participantId === b.participantId && a.startTime === b.startTime;

function retryProblems(faulted: JournalEntry, later: readonly JournalEntry[]): VerificationProblem[] {
  const fault = faulted.fault!;
  const status = fault.status!;
  const retry = later.find((entry) => entry.method === faulted.method && entry.path === faulted.path);
  const waitAdvice =
    fault.retryAfter === undefined ? 'after a short wait' : `after its Retry-After (${fault.retryAfter} s)`;
  if (retry === undefined) {
    const what = status === 401 ? 'Sign a new token and send the request again' : `Send it again ${waitAdvice}`;
    return [
      {
        kind: 'resilience',
        seq: faulted.seq,
        message: `${label(faulted)} was answered ${status} (fault ${fault.id}) and never sent again. ${what}, with the same body.`,
      },
    ];
  }
  const problems: VerificationProblem[] = [];
  const waited = Date.parse(retry.time) - Date.parse(faulted.time);
  if (fault.retryAfter !== undefined && waited < fault.retryAfter * 1000 - TOLERANCE_MS) {
    problems.push({
      kind: 'resilience',
      seq: retry.seq,
      message: `${label(retry)} retried ${label(faulted)} after ${waited} ms, before its Retry-After of ${fault.retryAfter} s. Wait at least Retry-After seconds before sending it again.`,
    });
  }
  const key = fieldOf(faulted.request.body, 'vendorCallKey');
  const retriedKey = fieldOf(retry.request.body, 'vendorCallKey');
  if (typeof key === 'string' && retriedKey !== key) {
    problems.push({
      kind: 'resilience',
      seq: retry.seq,
      message: `${label(retry)} retried ${label(faulted)} with vendorCallKey ${JSON.stringify(retriedKey)} instead of "${key}". Send the same vendorCallKey again: a new one is a second call if the first one got through.`,
    });
  }
  const before = messageIds(faulted);
  const after = new Set(messageIds(retry));
  const renamed = before.filter((id) => !after.has(id));
  if (renamed.length > 0 && after.size > 0) {
    problems.push({
      kind: 'resilience',
      seq: retry.seq,
      message: `${label(retry)} retried ${label(faulted)} without messageId ${renamed.join(', ')}. Send each message again with its own messageId: a new one makes it a second message if the first one got through.`,
    });
  }
  return problems;
}

/** What makes two creates the same call: the numbers, the start and how it was initiated. */
const CALL_FACTS = ['from', 'to', 'startTime', 'initiationMethod', 'callCenterApiName'] as const;

function duplicateCalls(lost: JournalEntry, creates: readonly JournalEntry[]): VerificationProblem[] {
  const key = fieldOf(lost.request.body, 'vendorCallKey');
  return creates
    .filter(
      (entry) =>
        entry.seq > lost.seq &&
        entry.response.status !== null &&
        entry.response.status < 300 &&
        fieldOf(entry.request.body, 'vendorCallKey') !== key &&
        CALL_FACTS.every((field) => fieldOf(entry.request.body, field) === fieldOf(lost.request.body, field)),
    )
    .map((entry) => ({
      kind: 'resilience' as const,
      seq: lost.seq,
      message: `${label(entry)} created the call of ${label(lost)} again, as vendorCallKey ${JSON.stringify(fieldOf(entry.request.body, 'vendorCallKey'))}, after the answer to the first create was lost (fault ${lost.fault!.id}) once the call had been created: there are two calls now. Send a create again with the same vendorCallKey, so that the service recognises the call.`,
    }));
}

function duplicateProblems(lost: JournalEntry, later: readonly JournalEntry[]): VerificationProblem[] {
  const problems: VerificationProblem[] = [];
  for (const message of messagesOf(lost)) {
    for (const entry of later) {
      const copy = messagesOf(entry).find((m) => sameWords(m, message) && m.messageId !== message.messageId);
      if (copy === undefined) continue;
      problems.push({
        kind: 'resilience',
        seq: entry.seq,
        message: `${label(entry)} sent message ${String(message.messageId)} again as ${String(copy.messageId)}, after the answer to ${label(lost)} was lost (fault ${lost.fault!.id}) once it had been stored. Keep a message's messageId when sending it again, so that the service can tell it already has it.`,
      });
    }
  }
  return problems;
}

/** The write was kept, but the connector could not know: its answer was dropped, never sent, or broken. */
const lostAnswer = (entry: JournalEntry): boolean =>
  entry.fault !== undefined &&
  entry.fault.applied &&
  (entry.fault.kind === 'drop' || entry.fault.kind === 'hang' || entry.fault.kind === 'body');

/** The rules that tell a connector its repeat of a request was already done: what a safe retry meets. */
const ALREADY_DONE = new Set(['DUPLICATE_MESSAGE_ID', 'DUPLICATE_VENDOR_CALL_KEY']);

/**
 * The requests that repeat one whose answer was lost after its write was kept (the same method, path
 * and messageIds), and that the mock turned away, or warned about, only because it already had them:
 * the safe retry. They are not the connector's mistakes, and the verifier leaves them out.
 */
export function safeRepeats(journal: readonly JournalEntry[]): Set<number> {
  const entries = [...journal].sort((a, b) => a.seq - b.seq);
  const repeats = new Set<number>();
  entries.forEach((lost, i) => {
    if (!lostAnswer(lost)) return;
    const ids = messageIds(lost).join('\u0000');
    for (const entry of entries.slice(i + 1)) {
      if (entry.method !== lost.method || entry.path !== lost.path || messageIds(entry).join('\u0000') !== ids)
        continue;
      const findings = entry.checks.filter((check) => check.outcome !== 'ok');
      if (findings.length > 0 && findings.every((check) => ALREADY_DONE.has(check.rule))) repeats.add(entry.seq);
    }
  });
  return repeats;
}

/**
 * The resilience problems of one call's journal entries (every entry, those a fault stopped too);
 * `otherCreates` are the tenant's other calls' creates, for a call created twice.
 */
export function resilienceProblems(
  journal: readonly JournalEntry[],
  otherCreates: readonly JournalEntry[] = [],
): VerificationProblem[] {
  const entries = [...journal].sort((a, b) => a.seq - b.seq);
  return entries.flatMap((entry, i) => {
    const { fault } = entry;
    if (fault === undefined) return [];
    const later = entries.slice(i + 1);
    if (fault.kind === 'status' && !fault.applied && RETRIED_STATUSES.has(fault.status ?? 0))
      return retryProblems(entry, later);
    if (lostAnswer(entry))
      return entry.operation === 'createVoiceCall'
        ? duplicateCalls(entry, otherCreates)
        : duplicateProblems(entry, later);
    return [];
  });
}
