#!/usr/bin/env node
import { capJitFor, capYoungGenerationFor } from '../dist/cli/jit.js';

// Before the CLI loads: see src/cli/jit.ts.
capJitFor(process.argv.slice(2));
capYoungGenerationFor(process.argv.slice(2));
const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() turns every user error into a message and an exit code; reaching here is a bug.
    console.error('perfscope: internal error:', err);
    process.exitCode = 70;
  },
);
