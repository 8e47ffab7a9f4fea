#!/usr/bin/env node
// Which CLI to run. The published package ships dist/ and no src/: run the build. In the
// workspace src/ is present and always wins, run from TypeScript through tsx with the source
// export condition: a dist/ left by an earlier `npm run build` may be stale, and a CLI that
// silently runs yesterday's code is worse than one that starts a little slower.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
if (!existsSync(source)) {
  await import(new URL('../dist/main.js', import.meta.url).href);
} else {
  // tsx resolved from here, not from the caller's directory: volley runs from anywhere.
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    console.error(
      `volley: ${source} is the workspace source, which runs through tsx; run npm install (tsx is a devDependency).`,
    );
    process.exit(70);
  }
  const child = spawn(
    process.execPath,
    ['--conditions=@volley/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Ctrl-C reaches the child from the terminal too: let it finish (bench prints its report, call
  // sends a cancel) and exit with its code, rather than dying first and leaving it orphaned.
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
