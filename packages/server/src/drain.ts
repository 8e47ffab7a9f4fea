import type { Logger } from '@volley/router';
import type { ServerTransport } from '@volley/transport';
import { RpcError } from '@volley/wire';
import { DRAIN_UDP_QUIET_MS } from './constants.js';
import type { LogLimiter } from './log-limiter.js';
import type { MessageHandler } from './message-handler.js';

/** What a {@link Drain} works on: the server's message handler, stream connections and transports. */
export interface DrainTarget {
  readonly handler: MessageHandler;
  readonly stream: { readonly connectionCount: number };
  /** The server's transports; emptied once they are closed. */
  readonly transports: ServerTransport[];
  readonly logger: Logger;
  readonly limiter: LogLimiter;
}

/**
 * A server's way out: stop accepting, send goaway, let calls finish within the grace period, keep
 * the UDP socket while datagrams still arrive, abort what is left, close every transport. The
 * server refuses new calls as not executed from the moment it starts draining (its own flag).
 */
export class Drain {
  readonly #target: DrainTarget;
  #idleWaiter: (() => void) | undefined;

  constructor(target: DrainTarget) {
    this.#target = target;
  }

  /** A call or connection ended: wakes a drain waiting for the last one. */
  noteIdle(): void {
    if (this.#idleWaiter && this.#isDrained()) this.#idleWaiter();
  }

  async run(graceMs: number): Promise<void> {
    const { handler, stream, transports, logger, limiter } = this.#target;
    const startedAt = performance.now();
    logger.info(
      { inFlight: handler.inFlight, connections: stream.connectionCount, graceMs },
      'closing: draining in-flight calls',
    );
    for (const transport of transports) transport.stopAccepting();
    handler.goaway('server is shutting down');
    if (!this.#isDrained()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.#idleWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#idleWaiter = undefined;
    }
    await this.#lingerForDatagrams(startedAt + graceMs);
    if (handler.inFlight > 0) {
      logger.warn({ abandoned: handler.inFlight }, 'grace period over: aborting calls still running');
      handler.abortAll(new RpcError('CANCELLED', 'Server shut down before the call finished'));
    }
    // Let the last replies leave (stream writes are coalesced on setImmediate).
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(transports.map((transport) => transport.close()));
    transports.length = 0;
    limiter.flush();
    logger.info('closed');
  }

  /**
   * Drained: no call running and every stream client gone. Clients close a connection once it
   * has sent goaway and their calls on it are answered; until then the server keeps reading, so a
   * request already on the wire is refused as not executed rather than lost with the socket.
   */
  #isDrained(): boolean {
    return this.#target.handler.inFlight === 0 && this.#target.stream.connectionCount === 0;
  }

  /**
   * UDP has no goaway: keep the socket, refusing calls as not executed, until no datagram came for
   * DRAIN_UDP_QUIET_MS or `until` passes. Clients that were sending get a refusal and go elsewhere
   * instead of an ICMP error that leaves calls "may have executed".
   */
  async #lingerForDatagrams(until: number): Promise<void> {
    const { handler, transports } = this.#target;
    if (handler.datagramsIn === 0 || !transports.some((transport) => transport.kind === 'udp')) return;
    for (let seen = -1; seen !== handler.datagramsIn; ) {
      const wait = Math.min(DRAIN_UDP_QUIET_MS, until - performance.now());
      if (wait <= 0) return;
      seen = handler.datagramsIn;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
