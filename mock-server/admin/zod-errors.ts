/** A zod validation failure of an admin body, as the documented 400 with one detail per problem. */
import type { z } from 'zod';
import { ApiError } from '../errors/api-error.ts';
import { describeZodIssues } from '../org/simulated-org.ts';

export function zodError(error: z.ZodError): ApiError {
  return ApiError.details(
    400,
    'INVALID_REQUEST',
    describeZodIssues(error.issues).map((line) => {
      const [field = '(body)', ...problem] = line.split(': ');
      return { field, problem: problem.join(': ') };
    }),
  );
}
