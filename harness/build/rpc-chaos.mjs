#!/usr/bin/env node
// @ts-check
/**
 * The package's command (`bin` in package.json): `npx rpc-chaos <command> [arguments...]` in a
 * project that installed the package, `node harness/build/rpc-chaos.mjs ...` in this repository.
 * The commands themselves are the compiled program rpc-chaos (harness/cli/rpc-chaos.ts).
 */
import { runProgram } from './run-program.mjs';

await runProgram('rpc-chaos', process.argv.slice(2));
