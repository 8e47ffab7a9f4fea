import { randomBytes } from 'node:crypto';
import type { Logger } from '@volley/router';
import { type CompiledRouter, compileRouter } from '@volley/router/internal';
import {
  type BoundAddress,
  createMemoryTransport,
  createTcpTransport,
  createTlsTransport,
  type ServerTransport,
  type TransportListener,
  type TransportStats,
} from '@volley/transport';
import { createCodec } from '@volley/wire';
import type { InputLimits } from '@volley/wire/internal';
import { pino } from 'pino';
import { createBuiltins } from './builtins.js';
import { currentWorker } from './cluster/cluster-protocol.js';
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_MAX_CALLS_PER_CONNECTION, DEFAULT_MAX_IN_FLIGHT } from './constants.js';
import { AddressValidator } from './datagram/address-validator.js';
import { DatagramPolicy } from './datagram/datagram-policy.js';
import { ReplyCache } from './datagram/reply-cache.js';
import { Drain } from './drain.js';
import { ListenError, type ListenTarget } from './listen-error.js';
import { type ListeningAddresses, type ListenOptions, listenUdpBesideTcp, namesOf } from './listen-options.js';
import { LogLimiter } from './log-limiter.js';
import { createMessageHandler } from './message-handler.js';
import { CallStats, type CallStatsSnapshot } from './observe/call-stats.js';
import { combineObservers, observeRefusal } from './observe/observers.js';
import { ReplySender } from './reply-sender.js';
import type { ServerOptions } from './server-options.js';
import { createServerStats, type ServerStats } from './server-stats.js';
import { createSigningGate, signingStarted } from './signing/signing-gate.js';
import { StreamPolicy } from './stream/stream-policy.js';

/** A router bound to transports. */
export interface Server {
  /** Binds the requested transports; resolves with their addresses. Can be called more than once. */
  listen(options: ListenOptions): Promise<ListeningAddresses>;
  /**
   * Drains: takes no new calls (new requests get `UNAVAILABLE`, not executed), sends goaway on
   * streams, lets in-flight calls finish within the grace period, aborts the rest with
   * `CANCELLED`, then closes every socket.
   */
  close(options?: { graceMs?: number }): Promise<void>;
  readonly stats: ServerStats;
  /**
   * Random non-zero uint32 drawn when the server is created, carried by every UDP reply (`i`):
   * a client echoes it on retransmissions, so a restarted process (or another worker behind the
   * same port) refuses rather than re-runs a non-idempotent call it may not have seen finish.
   */
  readonly incarnation: number;
  /** Calls in progress now. */
  readonly inFlight: number;
  /**
   * What every procedure's calls did since the server was created, per transport: calls by code,
   * in flight, duration and size histograms. Undefined when `callStats: false`. What `$stats`
   * answers and a metric exporter reads.
   */
  readonly callStats: { snapshot(): CallStatsSnapshot } | undefined;
}

/**
 * Creates a server for a router.
 * @example
 * const server = createServer({ router: app, logger });
 * await server.listen({ udp: { port: 4000 }, tcp: { port: 4000 } });
 */
export function createServer(options: ServerOptions): Server {
  const logger: Logger = options.logger ?? pino({ level: 'info' });
  const incarnation = drawIncarnation();
  const worker = options.worker ?? currentWorker();
  const callStats = options.callStats === false ? undefined : new CallStats();
  const builtins = createBuiltins(options.router, options, {
    isDraining: () => draining,
    inFlight: () => handler.inFlight,
    startedAt: performance.now(),
    incarnation,
    worker,
    callStats,
    stats: () => currentStats(),
  });
  const compiled = compileRouter(options.router, builtins);
  const cache = new ReplyCache(options.replyCache);
  const stats = createServerStats(worker);
  const transports: ServerTransport[] = [];
  /** Every transport's counters, kept after close (`transports` is emptied) so totals never go back. */
  const transportStats: TransportStats[] = [];
  let draining = false;
  let closing: Promise<void> | undefined;

  const codec = createCodec({ decodeLimits: options.decodeLimits, inputLimits: inputLimitsOf(compiled) });
  const limiter = new LogLimiter(logger);
  // Call stats first, trusted: another observer (an exporter, a tracer) then finds a call already
  // counted when the call's end reaches it. A bug in another observer is ours to log, not the
  // caller's to suffer: its call goes on.
  const observer = combineObservers(callStats === undefined ? [] : [callStats], options.observers ?? [], (error) =>
    limiter.log('error', 'observer failed', { err: error }, 'a server observer threw; the call went on without it'),
  );
  const replies = new ReplySender(codec, logger, stats);
  // The one place the datagram path is wired in: the message handler sees it as a CallPolicy.
  const datagram = new DatagramPolicy({
    cache,
    validator: new AddressValidator(),
    incarnation,
    replies,
    stats,
    logger,
    limiter,
  });
  const maxCallsPerConnection = options.maxCallsPerConnection ?? DEFAULT_MAX_CALLS_PER_CONNECTION;
  const stream = new StreamPolicy({
    replies,
    stats,
    logger,
    limiter,
    maxCallsPerConnection,
    kept: datagram.atMostOnce,
  });
  const handler = createMessageHandler({
    router: compiled,
    logger,
    limiter,
    codec,
    replies,
    stats,
    datagram,
    stream,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    incarnation,
    isDraining: () => draining,
    onCallDone: () => drain.noteIdle(),
    observer,
  });
  const drain = new Drain({ handler, stream, transports, logger, limiter });

  // The names this server answers to, for signatures bound to a destination (signing.audience).
  const ownAddresses = new Set<string>();
  let signing = options.signing;
  let listener: TransportListener | undefined;
  /** Every transport gets the same listener, signing gate included, so none can bypass it. */
  const listenerFor = (): TransportListener => {
    listener ??= signing
      ? createSigningGate(handler.listener, signing, {
          codec,
          limiter,
          stats,
          isOwnAddress: (name) => ownAddresses.has(name),
          onRefused: (channel, requestBytes, error, responseBytes) =>
            observeRefusal(observer, channel, requestBytes, error, responseBytes),
        })
      : handler.listener;
    return listener;
  };

  async function start(
    transport: ServerTransport & { readonly stats?: TransportStats },
    target: ListenTarget,
  ): Promise<BoundAddress> {
    await signingStarted(listenerFor()); // a signing server binds once its start second is past
    let bound: BoundAddress;
    try {
      bound = await transport.listen(listenerFor());
    } catch (error) {
      throw new ListenError(target, error);
    }
    for (const name of namesOf(bound)) ownAddresses.add(name);
    transports.push(transport);
    if (transport.stats !== undefined) transportStats.push(transport.stats);
    logger.info({ transport: bound.transport, address: bound.address, port: bound.port }, 'listening');
    return bound;
  }

  function currentStats(): ServerStats {
    // Cache and connection figures are read where they are kept, so the hot path counts each once.
    stats.replyCacheHits = cache.counters.hits;
    stats.replyCacheEvictions = cache.counters.evictions;
    stats.replyCacheEntries = cache.size;
    stats.replyCacheBytes = cache.bytes;
    stats.connectionsOpen = stream.connectionCount;
    stats.connectionsRefused = 0;
    stats.handshakeTimeouts = 0;
    for (const counted of transportStats) {
      stats.connectionsRefused += counted.connectionsRefused;
      stats.handshakeTimeouts += counted.handshakeTimeouts;
    }
    return stats;
  }

  return {
    get stats() {
      return currentStats();
    },
    incarnation,
    get inFlight() {
      return handler.inFlight;
    },
    callStats,
    async listen(listen) {
      if (draining) throw new Error('Server is closed');
      const udpSigning = listen.udp?.signing;
      if (udpSigning !== undefined && udpSigning !== signing) {
        // Before any transport starts, or one would already be serving without the gate.
        if (signing !== undefined || listener !== undefined) {
          throw new Error('Signing is set once per server, before it listens: pass it to createServer({ signing })');
        }
        signing = udpSigning;
      }
      const bound: ListeningAddresses = {};
      if (listen.tcp) bound.tcp = await start(createTcpTransport(listen.tcp), { transport: 'tcp', ...listen.tcp });
      if (listen.udp) bound.udp = await listenUdpBesideTcp(listen.udp, bound.tcp, start);
      if (listen.tls)
        bound.tls = await start(createTlsTransport(listen.tls), {
          transport: 'tls',
          host: listen.tls.host,
          port: listen.tls.port,
        });
      if (listen.unix)
        bound.unix = await start(createTcpTransport(listen.unix), { transport: 'unix', path: listen.unix.path });
      if (listen.memory)
        bound.memory = await start(createMemoryTransport(listen.memory), {
          transport: 'memory',
          path: listen.memory.name,
        });
      return bound;
    },
    close(closeOptions) {
      if (closing === undefined) {
        draining = true;
        closing = drain.run(closeOptions?.graceMs ?? options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
      }
      return closing;
    },
  };
}

/**
 * A random non-zero uint32. Random rather than a counter or a start time: it needs no storage
 * that survives the process, and two workers started in the same millisecond still differ
 * (two incarnations collide with probability 2^-32). Zero is never drawn, so it can never be
 * mistaken for an unset value by another implementation.
 */
function drawIncarnation(): number {
  let value = 0;
  while (value === 0) value = randomBytes(4).readUInt32BE(0);
  return value;
}

/**
 * The procedures and their `.maxInputBytes(n)` caps, for the codec: it refuses a large request to
 * an unknown method, or an input over its cap, before decoding it.
 */
function inputLimitsOf(compiled: CompiledRouter): InputLimits {
  let smallestBytes = Number.POSITIVE_INFINITY;
  for (const entry of compiled.values())
    if (entry.maxInputBytes !== undefined) smallestBytes = Math.min(smallestBytes, entry.maxInputBytes);
  return {
    smallestBytes,
    limitOf(method) {
      const entry = compiled.get(method);
      return entry === undefined ? undefined : (entry.maxInputBytes ?? Number.POSITIVE_INFINITY);
    },
  };
}
