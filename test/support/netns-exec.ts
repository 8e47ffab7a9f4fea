import { execFile } from 'node:child_process';

/** Longest any setup command (`ip`, `nft`) may take: it bounds a hang, it is not a timing check. */
const COMMAND_TIMEOUT_MS = 15_000;

/**
 * Runs a command to completion and resolves with its stdout; rejects with the command line and
 * its stderr, so a failing `ip`/`nft` step says which one and why. `input` is written to stdin.
 */
export function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`\`${[command, ...args].join(' ')}\` failed: ${stderr.trim() || error.message}`, {
              cause: error,
            }),
          );
        else resolve(stdout);
      },
    );
    // A missing binary fails spawn before stdin opens; the callback above reports it.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}
