/**
 * Runs the steps of one GitHub Actions job on this machine, as the runner would for the README's
 * workflow: `run` steps in bash with -eo pipefail, `${{ github.* }}` and `${{ env.* }}` expressions,
 * $GITHUB_ENV and $GITHUB_STEP_SUMMARY files, `if: always()`, and the three actions it uses
 * (checkout and setup-node are already done here; upload-artifact copies its paths to a folder).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}

export interface StepResult {
  name: string;
  ok: boolean;
  output: string;
}

export interface JobRun {
  steps: StepResult[];
  /** Where upload-artifact put each artifact, by name. */
  artifacts: Record<string, string>;
  env: Record<string, string>;
}

const describeStep = (step: Step): string => step.name ?? step.uses ?? step.run?.split('\n')[0] ?? '(step)';

export function runWorkflowJob(
  workflowYaml: string,
  job: string,
  options: { cwd: string; github: Record<string, string>; env?: Record<string, string> },
): JobRun {
  const workflow = parse(workflowYaml) as { jobs: Record<string, { steps: Step[] }> };
  const steps = workflow.jobs[job]?.steps;
  if (steps === undefined) throw new Error(`the workflow has no job "${job}"`);
  const runnerDir = join(options.cwd, '.runner');
  mkdirSync(runnerDir, { recursive: true });
  const envFile = join(runnerDir, 'github-env');
  const summaryFile = join(runnerDir, 'step-summary.md');
  const env: Record<string, string> = {};
  const results: StepResult[] = [];
  const artifacts: Record<string, string> = {};
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*(github|env)\.(\w+)\s*\}\}/g, (whole, scope: string, name: string) => {
      const value = scope === 'github' ? options.github[name] : env[name];
      if (value === undefined) throw new Error(`${whole} has no value in this run`);
      return value;
    });

  for (const step of steps) {
    const name = describeStep(step);
    const failedBefore = results.some((r) => !r.ok);
    if (step.if !== undefined && step.if !== 'always()') throw new Error(`if: ${step.if} is not supported here`);
    if (failedBefore && step.if !== 'always()') {
      results.push({ name, ok: true, output: '(skipped: an earlier step failed)' });
      continue;
    }
    if (step.uses !== undefined) {
      results.push({ name, ...useAction(step, options.cwd, runnerDir, artifacts) });
      continue;
    }
    writeFileSync(envFile, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expand(step.run ?? '')], {
      cwd: options.cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...options.env,
        ...env,
        ...stepEnv,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_ENV: envFile,
        GITHUB_STEP_SUMMARY: summaryFile,
      },
    });
    results.push({ name, ok: run.status === 0, output: `${run.stdout}${run.stderr}` });
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return { steps: results, artifacts, env };
}

function useAction(
  step: Step,
  cwd: string,
  runnerDir: string,
  artifacts: Record<string, string>,
): Omit<StepResult, 'name'> {
  const [action] = step.uses!.split('@');
  if (action === 'actions/checkout') return { ok: true, output: '(the project is already here)' };
  if (action === 'actions/setup-node') {
    const wanted = String(step.with?.['node-version'] ?? '');
    const ok = process.versions.node.split('.')[0] === wanted.split('.')[0];
    return { ok, output: `node ${process.versions.node} (the workflow asks for ${wanted})` };
  }
  if (action === 'actions/upload-artifact') {
    const name = String(step.with?.name ?? 'artifact');
    const to = join(runnerDir, 'artifacts', name);
    const paths = String(step.with?.path ?? '')
      .split('\n')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const missing = paths.filter((p) => !existsSync(join(cwd, p)));
    for (const path of paths.filter((p) => !missing.includes(p)))
      cpSync(join(cwd, path), join(to, path), { recursive: true });
    artifacts[name] = to;
    return {
      ok: missing.length === 0,
      output: missing.length === 0 ? `uploaded ${paths.join(', ')}` : `missing: ${missing.join(', ')}`,
    };
  }
  return { ok: false, output: `the local runner does not know ${step.uses}` };
}
