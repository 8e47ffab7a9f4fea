import type { ClientConnection } from '@volley/transport';
import { type Codec, KIND, RpcError } from '@volley/wire';
import type { Connector } from '../reconnecting-connection.js';

/** Id of the ping that confirms a new connection (keepalive pings are numbered on their own). */
const CONFIRM_PING_ID = 0;

/** What {@link createConfirmingConnector} needs beside the connector it wraps. */
export interface ConfirmOptions {
  codec: Codec;
  /** The server's URL, named in errors: `tls://host:port`. */
  target: string;
  /**
   * The connect timeout the wrapped connector was given: the confirmation gets what the handshake
   * left of it, so one limit covers both, as a connect step of its own would.
   */
  connectTimeoutMs?: number;
}

/**
 * Wraps a stream connector so that a new connection counts as open only once the server has
 * answered a ping on it. A TLS client's `secureConnect` is not proof it was accepted: under TLS
 * 1.3 the server checks the client's certificate after the client's handshake is done, and it
 * refuses a certificate from an unknown CA by closing the connection. Waiting for the pong turns
 * every such refusal into a failed connect, rejected with `UNAVAILABLE` and `notExecuted` (no call
 * was sent), instead of calls lost on a connection that was never going to be served. It costs
 * one round trip per connection. The ping goes below any signing connector, unsigned, as the
 * server's stream transport answers it.
 */
export function createConfirmingConnector(connect: Connector, options: ConfirmOptions): Connector {
  const { codec, target, connectTimeoutMs } = options;
  return (handlers) => {
    const startedAt = performance.now();
    return new Promise((resolve, reject) => {
      let state: 'connecting' | 'confirming' | 'open' | 'failed' = 'connecting';
      let connection: ClientConnection | undefined;
      let timer: NodeJS.Timeout | undefined;
      const fail = (cause: unknown) => {
        if (state === 'open' || state === 'failed') return;
        state = 'failed';
        clearTimeout(timer);
        if (connection) drop(connection);
        const message = `Cannot connect to ${target}: ${(cause as Error)?.message ?? String(cause)}`;
        reject(new RpcError('UNAVAILABLE', message, { cause, local: true, notExecuted: true }));
      };
      connect({
        onMessage: (message) => {
          if (state === 'confirming') {
            const decoded = codec.decode(message);
            if (decoded.ok && decoded.value.kind === KIND.pong && decoded.value.id === CONFIRM_PING_ID) {
              state = 'open';
              clearTimeout(timer);
              resolve(connection as ClientConnection);
              return;
            }
          }
          handlers.onMessage(message);
        },
        onClose: (reason) => {
          if (state === 'open') handlers.onClose(reason);
          else
            fail(
              reason ??
                new Error('the server closed the connection before accepting it (a refused client certificate?)'),
            );
        },
      }).then(
        (opened) => {
          connection = opened;
          if (state === 'failed') {
            drop(opened);
            return;
          }
          state = 'confirming';
          if (connectTimeoutMs !== undefined) {
            const left = Math.max(0, connectTimeoutMs - (performance.now() - startedAt));
            timer = setTimeout(() => fail(new Error(`timed out after ${connectTimeoutMs} ms`)), left);
          }
          opened.send(codec.encode({ kind: KIND.ping, id: CONFIRM_PING_ID }));
        },
        (error: unknown) => {
          state = 'failed';
          reject(error);
        },
      );
    });
  };
}

/** Ends a connection that was never handed out: at once, without a graceful close. */
function drop(connection: ClientConnection): void {
  if (connection.mode === 'stream' && connection.destroy) connection.destroy();
  else connection.close();
}
