/**
 * Serves /telephony/v1 on node:http directly: hands each request to the pipeline, writes the outcome it
 * returns, then logs it and journals it from that same value. Express serves the admin API only; on
 * this path it added a router walk and response machinery that cost more than the operation itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TelephonyPipeline } from '../core/telephony-pipeline.ts';
import type { RequestOutcome } from '../core/request-outcome.ts';
import { describeFault, internalError } from '../errors/api-error.ts';
import { journalEntryOf, keptBodyTextOf, type AnsweredRequest } from '../journal/journal-entry.ts';
import type { RequestJournal } from '../journal/request-journal.ts';
import { BodyAborted, readBody } from './json-body.ts';
import type { Logger } from './logger.ts';
import { logEntryOf } from './request-log.ts';
import { deliver, deliveredOf } from './outcome-delivery.ts';
import type { JournalWriter } from '../journal/journal-writer.ts';

export interface TelephonyListenerOptions {
  pipeline: TelephonyPipeline;
  /** Where the API lives, e.g. /telephony/v1. */
  basePath: string;
  maxBodyBytes: number;
  logger: Logger;
  journal: RequestJournal;
  /** Where entries go: the journal itself, or the replicas' shared journal too. */
  journalWriter: JournalWriter;
}

/** Query parameters as express's simple parser gives them: a repeated name is an array. */
function queryOf(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (search === '') return query;
  for (const [name, value] of new URLSearchParams(search)) {
    const had = query[name];
    query[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return query;
}

const faultOutcome = (): RequestOutcome => {
  const error = internalError();
  return { status: error.status, headers: {}, answer: error.body, errorCode: error.errorCode };
};

export type TelephonyListener = (req: IncomingMessage, res: ServerResponse) => void;

export function telephonyListener(options: TelephonyListenerOptions): TelephonyListener {
  const { pipeline, basePath, logger, journal, journalWriter } = options;
  return (req, res) => {
    const started = process.hrtime.bigint();
    const time = new Date();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const shownPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';
    void pipeline
      .handle({
        method,
        path: shownPath.slice(basePath.length) || '/',
        shownPath,
        query: queryOf(queryAt < 0 ? '' : url.slice(queryAt + 1)),
        headers: req.headers,
        readBody: () => readBody(req, options.maxBodyBytes),
      })
      .catch((error: unknown): RequestOutcome | undefined => {
        if (error instanceof BodyAborted) return undefined;
        logger.error(`internal error on ${method} ${url}: ${describeFault(error)}`);
        return faultOutcome();
      })
      .then(async (outcome) => {
        if (outcome === undefined || res.headersSent || res.destroyed) return;
        const answered: AnsweredRequest = {
          time,
          method,
          path: shownPath,
          headers: req.headers,
          outcome,
          delivered: deliveredOf(outcome),
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        };
        const entry = journal.enabled ? journalEntryOf(answered) : undefined;
        // On replicas the entry is written for the others before the answer, so that a verify sent to
        // another replica right after it sees this request.
        const recorded = entry === undefined ? undefined : journalWriter.record(entry, keptBodyTextOf(outcome, entry));
        if (recorded !== undefined) {
          await recorded.catch((error: unknown) => {
            logger.warn(`could not journal ${method} ${shownPath} for the other replicas: ${(error as Error).message}`);
          });
        }
        if (res.destroyed) return;
        deliver(res, outcome);
        if (logger.logsRequests) logger.request(logEntryOf(answered));
      });
  };
}
