/**
 * `--faults FILE`: fault rules from the start, as JSON {"faults": [rule, …]}, each rule as
 * POST /__admin/faults takes it, plus the tenant it is for (orgId, callCenterApiName; by default the org
 * fixture's org and first contact center). A file that cannot be used is a usage error naming every
 * problem with its path.
 */
import { faultsFileSchema, type FaultFileRule } from '../../contracts/fault-schemas.ts';
import { describeZodIssues } from '../org/simulated-org.ts';
import { readJsonFile } from './cli-files.ts';
import { UsageError } from './parse-flags.ts';

export function loadFaultsFile(file: string): FaultFileRule[] {
  const parsed = faultsFileSchema.safeParse(readJsonFile('--faults', file));
  if (!parsed.success) {
    const problems = describeZodIssues(parsed.error.issues).map((line) => `  - ${line}`);
    throw new UsageError(`--faults ${file} is not a faults file ({"faults": [rule, …]}):\n${problems.join('\n')}`);
  }
  return parsed.data.faults;
}
