/**
 * Reserve a Routable Number (Agentforce Voice): a free number of the contact center's pool for the
 * country, held for the pool's reservation time (180 s at most). Each number has at most one reservation
 * record; a new reservation replaces the ended one.
 */
import {
  ROUTABLE_NUMBER_COUNTRIES,
  type ReserveRoutableNumberRequest,
  type ReserveRoutableNumberResponse,
} from '../../../contracts/wire-schemas.ts';
import { KEY_PREFIX } from '../../ids/salesforce-id.ts';
import type { Mutation, NumberReservationRecord } from '../../store/records.ts';
import { ApiError } from '../../errors/api-error.ts';
import { requestFacts, underRules } from '../rule-enforcement.ts';
import { type OperationEnv, type OperationOutcome, type OperationRequest } from '../operation-types.ts';
import { merged } from '../../object-merge.ts';

export function reserveRoutableNumber(
  req: OperationRequest<ReserveRoutableNumberRequest>,
  env: OperationEnv,
): OperationOutcome {
  const shared = requestFacts(req.undocumentedFields);
  // countryCode is the documented name; the schema requires it or its alias.
  const country = (req.body.countryCode ?? req.body.country)!;
  const outcome = underRules(
    {
      operation: 'reserveRoutableNumber',
      facts: merged(shared.facts, {
        countryNotListed: !(ROUTABLE_NUMBER_COUNTRIES as readonly string[]).includes(country),
      }),
      vars: merged(shared.vars, { country, listed: ROUTABLE_NUMBER_COUNTRIES.join(', ') }),
    },
    env.rules,
    req.rules,
    () => reserve(req, env, country),
  );
  // No rule of the table leaves this operation untouched; one that did would need an answer of its own.
  if (outcome === undefined)
    throw new Error('a rule left reserveRoutableNumber untouched, and it has no answer for that');
  return outcome;
}

function reserve(
  req: OperationRequest<ReserveRoutableNumberRequest>,
  env: OperationEnv,
  country: string,
): OperationOutcome {
  const { store } = env;
  const body = req.body;
  const tenant = req.tenant.key;
  const center = env.org.contactCenter(req.tenant.callCenterApiName)!;
  const pool = center.numberPool;
  if (pool === undefined) {
    throw new ApiError(403, 'FEATURE_NOT_ENABLED', [
      `Contact center ${center.apiName} has no Agentforce Voice number pool, so no number can be reserved. Add "numberPool" to it in the org fixture.`,
    ]);
  }
  const now = req.now.getTime();
  const reservations = new Map(store.numberReservationsOf(tenant).map((r) => [r.routableNumber, r]));
  const numbers = pool.numbers.filter((n) => n.countryCode === country);
  const free = numbers.find((n) => {
    const held = reservations.get(n.number);
    return held === undefined || Date.parse(held.expiresAt) <= now;
  });
  if (free === undefined) {
    if (numbers.length === 0) {
      const countries = [...new Set(pool.numbers.map((n) => n.countryCode))].join(', ');
      throw new ApiError(503, 'NUMBER_POOL_EXHAUSTED', [
        `The number pool of contact center ${center.apiName} has no ${country} numbers (it has ${countries}). Reserve a number of one of those countries, or add ${country} numbers to the pool in the org fixture.`,
      ]);
    }
    const soonest = Math.min(...numbers.map((n) => Date.parse(reservations.get(n.number)!.expiresAt)));
    const seconds = Math.max(1, Math.ceil((soonest - now) / 1000));
    throw new ApiError(
      503,
      'NUMBER_POOL_EXHAUSTED',
      [`Every ${country} number of the pool is reserved; the first is free again in ${seconds} s. Retry after that.`],
      {},
      { 'Retry-After': String(seconds) },
    );
  }
  const expiresAt = new Date(now + pool.reservationSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const record: NumberReservationRecord = {
    id: store.ids.next(KEY_PREFIX.NumberReservation),
    tenant,
    routableNumber: free.number,
    countryCode: country,
    uid: `lease:did:${free.number}:${Math.floor(now / 1000)}`,
    fromNumber: body.fromNumber,
    callId: body.context?.callId ?? null,
    transactionId: body.context?.transactionId ?? null,
    expiresAt,
    createdAt: req.now.toISOString(),
  };
  const ended = reservations.get(free.number);
  const mutations: Mutation[] = [
    ...(ended === undefined
      ? []
      : [{ op: 'delete' as const, collection: 'numberReservations' as const, id: ended.id }]),
    { op: 'put', collection: 'numberReservations', record },
  ];
  const response: ReserveRoutableNumberResponse = {
    status: 'success',
    mode: 'number',
    handle: { routableNumber: record.routableNumber, uid: record.uid, expiresAt },
  };
  return { status: 200, body: response, mutations };
}
