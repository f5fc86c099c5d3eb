#!/usr/bin/env node
import { run } from './cli';

// exitCode rather than process.exit(): output piped to another program is flushed before the process ends.
run(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
