#!/usr/bin/env node
// The scv-mock command. In a checkout it runs the TypeScript sources through tsx (a dev dependency), so
// an edit never meets a stale build; an installed package has no sources and runs the built dist/.
import { existsSync } from 'node:fs';

const source = new URL('../mock-server/cli/run.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/mock-server/cli/run.js', import.meta.url).href);
}
