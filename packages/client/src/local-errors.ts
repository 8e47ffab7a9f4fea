import { RpcError } from '@volley/wire';

/** A local error raised before anything was sent: never executed. */
export function notSent(
  code: 'PAYLOAD_TOO_LARGE' | 'UNAVAILABLE' | 'CLOSED' | 'CANCELLED' | 'DEADLINE_EXCEEDED',
  message: string,
  cause?: unknown,
): RpcError {
  return new RpcError(code, message, { local: true, notExecuted: true, cause });
}

/** A call whose input MessagePack cannot carry (a function, a BigInt beyond 64 bits, a cycle…). */
export function unencodable(call: { readonly method: string; readonly sent: boolean }, cause: unknown): RpcError {
  const message = `Input of "${call.method}" cannot be encoded: ${(cause as Error).message}`;
  return new RpcError('BAD_REQUEST', message, { cause, local: true, notExecuted: !call.sent });
}

/** The connection would not take the request: sent before or never, as `sent` says. */
export function connectionClosed(target: string, sent: boolean): RpcError {
  return new RpcError('UNAVAILABLE', `Connection to ${target} is closed`, { local: true, notExecuted: !sent });
}

/** Turns a failure to reach the server into an RpcError; `sent` says whether the call had left. */
export function toLocalError(error: unknown, target: string, sent = false): RpcError {
  if (error instanceof RpcError)
    return sent ? new RpcError(error.code, error.message, { local: true, notExecuted: false, cause: error }) : error;
  return new RpcError('UNAVAILABLE', `Cannot reach ${target}: ${(error as Error)?.message ?? String(error)}`, {
    local: true,
    notExecuted: !sent,
    cause: error,
  });
}

/** "the TCP route to tcp://… was refused (…)", or "… failed (…)" for any other failure. */
export function describeRouteFailure(route: string | undefined, error: RpcError): string {
  let refused = false;
  for (let cause: unknown = error; cause instanceof Error && !refused; cause = cause.cause)
    refused = (cause as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  return `the TCP route${route === undefined ? '' : ` to ${route}`} ${refused ? 'was refused' : 'failed'} (${error.message})`;
}

/** A request larger than the connection carries, with no other route to send it on: never sent. */
export function requestTooLarge(
  size: number,
  connection: { readonly maxMessageBytes: number; readonly kind: string },
): RpcError {
  return notSent(
    'PAYLOAD_TOO_LARGE',
    `Request of ${size} bytes exceeds the ${connection.maxMessageBytes}-byte ${connection.kind} limit and no TCP route is configured`,
  );
}
