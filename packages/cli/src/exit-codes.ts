import type { ErrorCode } from '@volley/wire';

/**
 * Exit codes scripts can rely on (docs/cli.md). A failed call exits with its error code's own
 * number, so `volley call … || case $? in 17) …` can tell a timeout from a refusal. The numbers
 * are part of the CLI's contract: new codes get new numbers, existing ones never change.
 */
export const EXIT = {
  ok: 0,
  /** The command ran but the answer is "no": `health` not serving, `bench` with failed calls. */
  failed: 1,
  /** Bad command line: unknown command or flag, bad JSON, unreadable file. */
  usage: 2,
  /** `gen` could not load its source or write its output. */
  generation: 3,
  /** `serve` could not start: the module did not load or an address could not be bound. */
  serve: 4,
  /** Ctrl-C ended the command (`call` first sends the server a cancel): 128 + SIGINT, as shells expect. */
  interrupted: 130,
  /** A bug in the CLI itself: the message is printed, the stack with VOLLEY_DEBUG=1. */
  internal: 70,
} as const;

/** Exit code per error code of a failed call. */
export const EXIT_FOR_ERROR: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 10,
  NOT_FOUND: 11,
  UNAUTHENTICATED: 12,
  PERMISSION_DENIED: 13,
  PAYLOAD_TOO_LARGE: 14,
  RESOURCE_EXHAUSTED: 15,
  UNAVAILABLE: 16,
  DEADLINE_EXCEEDED: 17,
  CANCELLED: 18,
  CLOSED: 19,
  INTERNAL: 20,
};

/** Exit code for an error code a newer server may send that this CLI does not know. */
export const EXIT_UNKNOWN_ERROR = 21;

/** The exit code for a failed call's error code. */
export function exitForError(code: string): number {
  return Object.hasOwn(EXIT_FOR_ERROR, code) ? EXIT_FOR_ERROR[code as ErrorCode] : EXIT_UNKNOWN_ERROR;
}
