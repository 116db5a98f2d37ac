#!/usr/bin/env node
// The scv-mock command. The sources are TypeScript; tsx compiles them on load, so a checkout runs
// without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../mock-server/cli/main.ts');
process.exit(await main(process.argv.slice(2)));
