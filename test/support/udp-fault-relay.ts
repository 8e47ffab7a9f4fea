import { createSocket, type Socket } from 'node:dgram';
import { createSeededRandom } from './seeded-random.js';

/** Client → server datagrams are `toServer`; server → client replies are `toClient`. */
export type RelayDirection = 'toServer' | 'toClient';

/** Faults applied to one direction. Every percentage is 0–100; everything defaults to 0 (a clean wire). */
export interface FaultSettings {
  /** Chance that a datagram is discarded. */
  dropPercent?: number;
  /** Chance that a datagram that survived is sent twice (each copy gets its own delay). */
  duplicatePercent?: number;
  /** Each copy waits a whole number of milliseconds drawn from `[min, max]` before going on. */
  delayMs?: readonly [min: number, max: number];
  /** Chance that a datagram is held back and sent right after the next one of its direction. */
  reorderPercent?: number;
}

/** What the relay did in one direction. `forwarded` counts copies sent on, duplicates included. */
export interface RelayCounters {
  received: number;
  forwarded: number;
  dropped: number;
  duplicated: number;
  delayed: number;
  reordered: number;
}

/** A client the relay has heard from; each gets its own upstream socket, so replies find it. */
export interface RelayClient {
  readonly address: string;
  readonly port: number;
  /** The port the server sees this client on. */
  readonly upstreamPort: number;
}

/** Options for {@link startUdpFaultRelay}. */
export interface UdpFaultRelayOptions {
  /** The real server's UDP port on `serverHost`. */
  serverPort: number;
  /** Default `127.0.0.1`. */
  serverHost?: string;
  /** Seeds the fault draws; each direction has its own stream, so one side's traffic cannot shift the other's. */
  seed: number;
  toServer?: FaultSettings;
  toClient?: FaultSettings;
  /** A datagram held for reordering goes on after this long if no later one comes (default 50 ms). */
  reorderHoldMs?: number;
  /** Sees every datagram as it arrives, before any fault: lets a test learn msgids or measure sizes. */
  onDatagram?: (direction: RelayDirection, bytes: Buffer, client: RelayClient) => void;
}

/** A running relay. Clients aim at `url`; replies come back from the relay's own address and port. */
export interface UdpFaultRelay {
  readonly port: number;
  /** `udp://127.0.0.1:<port>` for `createClient`. */
  readonly url: string;
  readonly stats: Readonly<Record<RelayDirection, RelayCounters>>;
  /** Clients seen so far, in order of first datagram. */
  readonly clients: readonly RelayClient[];
  /** Replaces one direction's faults from now on (the random stream carries on). */
  configure(direction: RelayDirection, faults: FaultSettings): void;
  /** Sends `bytes` to a client (default: the first one seen) from the relay's port, bypassing faults. */
  injectToClient(bytes: Uint8Array, client?: RelayClient): Promise<void>;
  /** Closes every socket and discards datagrams still delayed or held. */
  close(): Promise<void>;
}

/** Draws taken per datagram, whatever the outcome, so one datagram's fate never shifts the next one's. */
const DRAWS_PER_DATAGRAM = 5;
const DEFAULT_REORDER_HOLD_MS = 50;
const HOST = '127.0.0.1';

/** One direction: its faults, its random stream, its counters and its reorder slot. */
class Lane {
  faults: FaultSettings;
  readonly counters: RelayCounters = { received: 0, forwarded: 0, dropped: 0, duplicated: 0, delayed: 0, reordered: 0 };
  readonly #random: () => number;
  readonly #timers: Set<NodeJS.Timeout>;
  readonly #holdMs: number;
  #held: { send: () => void; timer: NodeJS.Timeout } | undefined;

  constructor(faults: FaultSettings, seed: number, timers: Set<NodeJS.Timeout>, holdMs: number) {
    this.faults = faults;
    this.#random = createSeededRandom(seed);
    this.#timers = timers;
    this.#holdMs = holdMs;
  }

  /** Applies drop, duplicate, delay and reorder to one datagram; `send` puts one copy on the wire. */
  pass(send: () => void): void {
    const draws = Array.from({ length: DRAWS_PER_DATAGRAM }, this.#random);
    const [drop = 0, duplicate = 0, firstDelay = 0, secondDelay = 0, reorder = 0] = draws;
    const { dropPercent = 0, duplicatePercent = 0, delayMs, reorderPercent = 0 } = this.faults;
    this.counters.received++;
    if (drop * 100 < dropPercent) {
      this.counters.dropped++;
      return;
    }
    const copies = duplicate * 100 < duplicatePercent ? [firstDelay, secondDelay] : [firstDelay];
    if (copies.length === 2) this.counters.duplicated++;
    const holdThis = reorder * 100 < reorderPercent;
    for (const draw of copies) {
      const waitMs = delayMs === undefined ? 0 : delayMs[0] + Math.floor(draw * (delayMs[1] - delayMs[0] + 1));
      if (waitMs <= 0) this.#emit(send, holdThis);
      else {
        this.counters.delayed++;
        this.#later(waitMs, () => this.#emit(send, holdThis));
      }
    }
  }

  #emit(send: () => void, holdThis: boolean): void {
    const held = this.#held;
    if (held) {
      // The held datagram goes right after this one: the two arrive swapped.
      this.#held = undefined;
      this.#cancel(held.timer);
      this.#forward(send);
      this.#forward(held.send);
      this.counters.reordered++;
    } else if (holdThis) {
      const timer = this.#later(this.#holdMs, () => {
        this.#held = undefined;
        this.#forward(send);
      });
      this.#held = { send, timer };
    } else this.#forward(send);
  }

  #forward(send: () => void): void {
    this.counters.forwarded++;
    send();
  }

  #later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }
}

/**
 * Starts a fault-injecting UDP relay on 127.0.0.1, port 0, in front of a real server: client
 * datagrams go to the server from one upstream socket per client, and the server's replies to
 * that socket go back to that client from the relay's port. Faults come from a seeded random
 * source, so a failing run can be replayed with the same seed.
 *
 * @example
 * const relay = open.track(await startUdpFaultRelay({ serverPort: app.udpPort, seed: 7, toClient: { dropPercent: 30 } }));
 * const client = open.track(createClient<TestRouter>(relay.url));
 */
export async function startUdpFaultRelay(options: UdpFaultRelayOptions): Promise<UdpFaultRelay> {
  const serverHost = options.serverHost ?? HOST;
  const timers = new Set<NodeJS.Timeout>();
  const holdMs = options.reorderHoldMs ?? DEFAULT_REORDER_HOLD_MS;
  const lanes: Record<RelayDirection, Lane> = {
    toServer: new Lane(options.toServer ?? {}, options.seed, timers, holdMs),
    toClient: new Lane(options.toClient ?? {}, options.seed ^ 0x5bd1e995, timers, holdMs),
  };
  const front = await bindLoopback();
  const upstreams = new Map<string, { client: RelayClient; socket: Socket }>();
  const opening = new Map<string, Promise<{ client: RelayClient; socket: Socket }>>();
  const clients: RelayClient[] = [];
  let closed = false;

  async function upstreamFor(address: string, port: number) {
    const key = `${address}:${port}`;
    const ready = upstreams.get(key);
    if (ready) return ready;
    let pending = opening.get(key);
    if (pending === undefined) {
      pending = bindLoopback().then((socket) => {
        const upstream = { client: { address, port, upstreamPort: socket.address().port }, socket };
        upstreams.set(key, upstream);
        clients.push(upstream.client);
        socket.on('message', (bytes) => {
          options.onDatagram?.('toClient', bytes, upstream.client);
          lanes.toClient.pass(() => sendFrom(front, bytes, port, address));
        });
        if (closed) socket.close();
        return upstream;
      });
      opening.set(key, pending);
    }
    return pending;
  }

  front.on('message', (bytes, from) => {
    const ready = upstreams.get(`${from.address}:${from.port}`);
    const forward = ({ client, socket }: { client: RelayClient; socket: Socket }) => {
      options.onDatagram?.('toServer', bytes, client);
      lanes.toServer.pass(() => sendFrom(socket, bytes, options.serverPort, serverHost));
    };
    // The first datagram of a client waits for its socket to bind; later ones go synchronously, in order.
    if (ready) forward(ready);
    else void upstreamFor(from.address, from.port).then(forward);
  });

  const port = front.address().port;
  return {
    port,
    url: `udp://${HOST}:${port}`,
    stats: { toServer: lanes.toServer.counters, toClient: lanes.toClient.counters },
    clients,
    configure(direction, faults) {
      lanes[direction].faults = faults;
    },
    injectToClient(bytes, client = clients[0]) {
      if (client === undefined) return Promise.reject(new Error('The relay has not seen a client yet'));
      return new Promise((resolve, reject) =>
        front.send(bytes, client.port, client.address, (error) => (error ? reject(error) : resolve())),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([front, ...[...upstreams.values()].map((upstream) => upstream.socket)].map(closeSocket));
    },
  };

  function sendFrom(socket: Socket, bytes: Buffer, toPort: number, toAddress: string): void {
    if (!closed) socket.send(bytes, toPort, toAddress);
  }
}

function bindLoopback(): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: HOST, port: 0 }, () => {
      socket.off('error', reject);
      // ICMP port-unreachable once a peer has gone: the test that closed it is ending anyway.
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
