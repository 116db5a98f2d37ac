/** The express app that serves /__admin (all but health) and answers unknown paths in the error shape. */
import express, { type Express } from 'express';
import type { Authenticator } from '../auth/request-auth.ts';
import { errorHandler, notFoundHandler } from '../http/error-responses.ts';
import type { Logger } from '../http/logger.ts';
import { adminRequestLog } from '../http/request-log.ts';
import { ADMIN_BASE_PATH } from '../openapi/spec-document.ts';
import { adminTenant } from './admin-http.ts';
import { adminApi, type AdminApiOptions } from './admin-api.ts';
import { dashboardRoutes } from '../dashboard/dashboard-routes.ts';
import { merged } from '../object-merge.ts';

export function adminApp(
  options: Omit<AdminApiOptions, 'authenticate'> & { authenticate: Authenticator; logger: Logger },
): Express {
  const { logger, authenticate, ...api } = options;
  // A replica catches the tenant's store and journal up with the others before an admin request reads them.
  const sync = async (tenant: string) => {
    await Promise.all([api.store.sync(tenant), api.journalWriter.sync(tenant)]);
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(adminRequestLog((entry) => logger.request(entry)));
  app.use(dashboardRoutes());
  app.use(ADMIN_BASE_PATH, adminApi(merged(api, { authenticate: adminTenant(authenticate, sync) })));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
