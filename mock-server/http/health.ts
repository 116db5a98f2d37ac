/**
 * GET /__admin/health, answered by the server itself rather than by the admin API's express app: it is
 * what scripts poll until the mock is up, so it answers as soon as the store is loaded and the port is
 * open, while express and openapi-backend still load in the background.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthResponse } from '../../contracts/admin-schemas.ts';
import type { Logger } from './logger.ts';
import { writeJson } from './write-json.ts';

export const HEALTH_PATH = '/__admin/health';

/** True when the request is a GET or HEAD of the health path (a query string is ignored). */
export function isHealthRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const path = url.split('?')[0];
  return (req.method === 'GET' || req.method === 'HEAD') && (path === HEALTH_PATH || path === `${HEALTH_PATH}/`);
}

export function answerHealth(req: IncomingMessage, res: ServerResponse, body: HealthResponse, logger: Logger): void {
  const started = process.hrtime.bigint();
  writeJson(res, 200, body);
  logger.request({
    time: new Date(),
    method: req.method ?? 'GET',
    path: HEALTH_PATH,
    status: 200,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    rules: [],
    warnings: [],
    notes: [],
  });
}
