/**
 * The `scv-mock` command line: dispatches to the commands (start, token, keygen, verify, conformance);
 * `--help` and `--version`. Usage errors exit 2.
 */
import { VERSION } from '../package-files.ts';
import { UsageError } from './parse-flags.ts';

const HELP = `scv-mock ${VERSION}: a local, stateful Salesforce Service Cloud Voice Telephony Integration API

Usage: scv-mock <command> [options]

Commands:
  start        Start the mock server (scv-mock start --help for its options)
  token        Print a signed bearer token (scv-mock token --help)
  keygen       Write a new key pair and certificate for a connector (scv-mock keygen --help)
  verify       Check a call your connector made against a documented scenario (scv-mock verify --help)
  conformance  Play the scenarios against a target (this mock or a real org) and report drift
  help         Show this help

Options:
  -h, --help     Show help
  -v, --version  Show the version

Examples:
  scv-mock start --port 6324 --mode strict
  curl -H "Authorization: Bearer $(scv-mock token)" ...
`;

const KNOWN_COMMANDS = new Set(['start', 'token', 'keygen', 'verify', 'conformance']);

/**
 * `entry` is the script node runs this process with (run.ts passes it): given, `start` runs the server in
 * a second process with a larger first heap (heap-relaunch.ts); left out (an embedder), in this one.
 */
export async function main(argv: readonly string[], entry?: string): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(HELP);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    // Each command loads its modules on demand: --help and token need none of the server's (express,
    // openapi-backend, the store), and start needs none of the others' (node-forge, …).
    if (command === 'start') {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write((await import('./start-help.ts')).START_HELP);
        return 0;
      }
      if (entry !== undefined) {
        const relaunch = await import('./heap-relaunch.ts');
        if (relaunch.runsServerApart(process.platform, process.execArgv, process.env.NODE_OPTIONS))
          return await relaunch.runInServerProcess(entry, argv);
      }
      // A large store's file starts being read now, in a worker, while the server's modules load.
      const storeFile = (await import('./start-flags.ts')).storeFileOfStart(rest, process.env);
      if (storeFile !== null) (await import('../store/snapshot-prefetch.ts')).prefetchSnapshot(storeFile);
      return await (await import('./start-command.ts')).startCommand(rest);
    }
    if (command === 'token') return await (await import('./token-command.ts')).tokenCommand(rest);
    if (command === 'keygen') return (await import('./keygen-command.ts')).keygenCommand(rest);
    if (command === 'verify') return await (await import('./verify-command.ts')).verifyCommand(rest);
    if (command === 'conformance') return await (await import('./conformance-command.ts')).conformanceCommand(rest);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // The command's own help where there is a command: its flags are listed there.
    const help = KNOWN_COMMANDS.has(command ?? '') ? `scv-mock ${command} --help` : 'scv-mock --help';
    process.stderr.write(`scv-mock: ${error.message}\nRun "${help}" for usage.\n`);
    return 2;
  }
}
