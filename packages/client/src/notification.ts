import { type Codec, KIND, type RequestMeta, RpcError } from '@volley/wire';
import type { Link } from './reconnecting-connection.js';
import { notSent, toLocalError } from './local-errors.js';

/** A one-way message to send. */
export interface Notification {
  method: string;
  input: unknown;
  trace: string | undefined;
  auth: string | undefined;
  metadata: Record<string, string> | undefined;
}

/** Sends a notification on the link's connection: no reply, no retransmission, no deadline. */
export async function sendNotification(link: Link, codec: Codec, target: string, notification: Notification): Promise<void> {
  let connection = link.current;
  if (connection === undefined) {
    try {
      connection = await link.acquire();
    } catch (error) {
      throw toLocalError(error, target);
    }
  }
  const { method, input, trace, auth, metadata } = notification;
  const meta: RequestMeta | undefined =
    trace === undefined && auth === undefined && metadata === undefined
      ? undefined
      : { ...(trace !== undefined && { trace }), ...(auth !== undefined && { auth }), ...(metadata !== undefined && { metadata }) };
  let bytes: Buffer;
  try {
    bytes = codec.encode({ kind: KIND.notification, method, input, ...(meta && { meta }) });
  } catch (cause) {
    throw new RpcError('BAD_REQUEST', `Input of "${method}" cannot be encoded: ${(cause as Error).message}`, { cause, local: true, notExecuted: true });
  }
  if (bytes.length > connection.maxMessageBytes) throw notSent('PAYLOAD_TOO_LARGE', `Notification of ${bytes.length} bytes exceeds the ${connection.maxMessageBytes}-byte limit`);
  if (!connection.send(bytes)) throw notSent('UNAVAILABLE', `Connection to ${target} is closed`);
}
