#!/usr/bin/env node
// The scv-mock command. In a checkout it runs the TypeScript sources through tsx (a dev dependency), so
// an edit never meets a stale build; an installed package has no sources and runs the built dist/.
import { existsSync } from 'node:fs';

const source = new URL('../mock-server/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import(new URL('../dist/mock-server/cli/main.js', import.meta.url).href));
}
process.exit(await main(process.argv.slice(2)));
