#!/usr/bin/env node
// The `carepath` command. The sources are TypeScript run through tsx, so there is no build
// step between a clone and a running platform.
import { register } from 'tsx/esm/api';

register();
// `carepath preview … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
