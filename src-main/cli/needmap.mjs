#!/usr/bin/env node
// The `needmap` command. It runs the compiled JavaScript in dist/node (built once by `npm ci` or
// `npm run build`, see ../launcher/compiled.mjs), rebuilding it first when a source file has
// changed since; where it cannot be built, it runs the TypeScript sources through tsx. The
// overview (`needmap`, `needmap --help`) comes from the command index built with it.
import { pathToFileURL } from 'node:url';
import { compiledFile, overviewFromIndex } from '../launcher/compiled.mjs';

const argv = process.argv.slice(2);
const compiled = compiledFile('cli') ?? (await (await import('../launcher/build-node.mjs')).ensureCompiled('cli'));
// The same requests main.ts's overviewRequest answers, with the same exit codes.
const overview = argv.length === 0 ? 2 : ['--help', '-h', 'help'].includes(argv[0]) ? 0 : null;
const indexed = compiled && overview !== null ? overviewFromIndex() : null;
if (indexed !== null) {
  process.stdout.write(indexed);
  process.exitCode = overview;
} else {
  let main;
  if (compiled) {
    ({ main } = await import(pathToFileURL(compiled).href));
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('./main.ts'));
  }
  process.exitCode = await main(argv);
}
