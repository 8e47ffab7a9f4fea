import { type Codec, KIND, type RequestMeta, RpcError } from '@volley/wire';
import { notSent, toLocalError } from './local-errors.js';
import type { ReconnectingConnection } from './reconnecting-connection.js';

/** A one-way message to send. */
export interface Notification {
  method: string;
  input: unknown;
  trace: string | undefined;
  traceState: string | undefined;
  auth: string | undefined;
  metadata: Record<string, string> | undefined;
}

/** Sends a notification on the route's connection (opening it if needed): no reply, no retransmission, no deadline. */
export async function sendNotification(
  route: ReconnectingConnection,
  codec: Codec,
  target: string,
  notification: Notification,
): Promise<void> {
  let connection = route.current;
  if (connection === undefined) {
    try {
      connection = await route.acquire();
    } catch (error) {
      throw toLocalError(error, target);
    }
  }
  const { method, input, trace, traceState, auth, metadata } = notification;
  const meta: RequestMeta | undefined =
    trace === undefined && traceState === undefined && auth === undefined && metadata === undefined
      ? undefined
      : {
          ...(trace !== undefined && { trace }),
          ...(traceState !== undefined && { traceState }),
          ...(auth !== undefined && { auth }),
          ...(metadata !== undefined && { metadata }),
        };
  let bytes: Buffer;
  try {
    bytes = codec.encode({ kind: KIND.notification, method, input, ...(meta && { meta }) });
  } catch (cause) {
    throw new RpcError('BAD_REQUEST', `Input of "${method}" cannot be encoded: ${(cause as Error).message}`, {
      cause,
      local: true,
      notExecuted: true,
    });
  }
  if (bytes.length > connection.maxMessageBytes)
    throw notSent(
      'PAYLOAD_TOO_LARGE',
      `Notification of ${bytes.length} bytes exceeds the ${connection.maxMessageBytes}-byte limit`,
    );
  if (!connection.send(bytes)) throw notSent('UNAVAILABLE', `Connection to ${target} is closed`);
}
