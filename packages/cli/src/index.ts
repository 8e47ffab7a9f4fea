export { EXIT, EXIT_FOR_ERROR, EXIT_UNKNOWN_ERROR, exitForError } from './exit-codes.js';
export type { CliIo } from './io.js';
export { runCli } from './run.js';
