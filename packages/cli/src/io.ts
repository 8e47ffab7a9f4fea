/** Where the CLI reads and writes; injectable so tests can run commands in process. */
export interface CliIo {
  /** Writes a line to stdout. */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /** Rewrites the current stderr line (progress); only called when `stderrIsTTY`. */
  status(text: string): void;
  /** Pretty-print results for a person rather than a script. */
  readonly stdoutIsTTY: boolean;
  /** Live progress only makes sense on a terminal. */
  readonly stderrIsTTY: boolean;
  /** Lines of the terminal stdout is, when it is one (a live view fits its frames to it). */
  readonly stdoutRows?: number | undefined;
  /** All of stdin, for `-` as input. */
  readStdin(): Promise<string>;
}

/** The real process's streams. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    status: (text) => process.stderr.write(`\r\x1b[2K${text}`),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    get stdoutRows() {
      return process.stdout.isTTY ? process.stdout.rows : undefined;
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
