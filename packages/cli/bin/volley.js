#!/usr/bin/env node
// Runs the built CLI when it exists (published package); in the workspace, runs the TypeScript
// source through tsx with the source export condition, so no build step is needed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  // tsx resolved from here, not from the caller's directory: volley runs from anywhere.
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=@volley/source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal too: let it finish (bench prints its report on the
  // first Ctrl-C) and exit with its code, rather than dying first and leaving it orphaned.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (signal !== 'SIGINT') child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
