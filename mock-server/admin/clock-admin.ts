/**
 * /__admin/clock: the mock's time, for every tenant (a token is not needed, as for the rules): read it,
 * set or advance it, freeze or release it, or reset it to the machine's.
 */
import { Router } from 'express';
import { clockRequestSchema } from '../../contracts/admin-schemas.ts';
import type { ClockChanger, MockClock } from '../time/mock-clock.ts';
import { jsonBody } from './admin-http.ts';
import { zodError } from './zod-errors.ts';

/** `change` makes a change (on replicas, on all of them before it resolves). */
export function clockAdmin(clock: MockClock, change: ClockChanger, maxBodyBytes: number): Router {
  const router = Router();
  router.get('/clock', (_req, res) => {
    res.json(clock.state());
  });
  router.post('/clock', jsonBody(maxBodyBytes), async (req, res) => {
    const parsed = clockRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw zodError(parsed.error);
    res.json(await change(parsed.data));
  });
  return router;
}
