#!/usr/bin/env node
// The `needmap` command. It runs the TypeScript sources directly through tsx, so the CLI works
// straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
