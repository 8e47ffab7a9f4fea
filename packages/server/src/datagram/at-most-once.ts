import type { Channel } from '@volley/transport';
import type { RequestEnvelope } from '@volley/wire';
import type { DatagramCall } from './datagram-call.js';
import type { ReplyCache } from './reply-cache.js';
import { replyCacheKey } from './reply-cache-key.js';

/**
 * The state of at-most-once execution over UDP, both halves under one call key: the calls
 * running now (*in progress*: a duplicate is dropped) and the reply cache (*done*: a duplicate
 * gets the kept reply), as ONC RPC's duplicate request cache and CoAP §4.5 keep them.
 */
export class AtMostOnce {
  readonly #running = new Map<string, DatagramCall>();
  readonly #cache: ReplyCache;

  constructor(cache: ReplyCache) {
    this.#cache = cache;
  }

  /** Calls running now. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * Whether a request's key could find anything. A key costs a string and two Map lookups: ~250 ns
   * of the ~1.5 µs in-process UDP `add` call (bench/src/micro/server-loop.ts), and it can only find
   * something while the cache or the running calls hold an entry; otherwise it is built when first
   * needed (DatagramCall.key): to keep a reply, or to track a call still running.
   */
  get mayKnow(): boolean {
    return this.#cache.size > 0 || this.#running.size > 0;
  }

  /** The reply kept under `key`, if it has not expired; `now` is `performance.now()`. */
  kept(key: string, now: number): Buffer | undefined {
    return this.#cache.get(key, now);
  }

  /** The reply kept for a request on any channel (a client fetching a truncated reply over TCP). */
  keptFor(channel: Channel, envelope: RequestEnvelope, now: number): Buffer | undefined {
    const meta = envelope.meta;
    const key = replyCacheKey(channel, envelope.id, meta?.clientId, meta?.auth);
    return key === undefined ? undefined : this.#cache.get(key, now);
  }

  /** Keeps a reply body for the call's duplicates until its deadline plus slack; false when too large to keep. */
  keep(call: DatagramCall, body: Buffer): boolean {
    return this.#cache.set(call.key, body, call.deadlineMs, performance.now());
  }

  running(key: string): DatagramCall | undefined {
    return this.#running.get(key);
  }

  track(call: DatagramCall): void {
    this.#running.set(call.key, call);
  }

  untrack(call: DatagramCall): void {
    const key = call.key;
    if (this.#running.get(key) === call) this.#running.delete(key);
  }

  calls(): Iterable<DatagramCall> {
    return this.#running.values();
  }
}
