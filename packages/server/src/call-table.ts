import type { Channel } from '@volley/transport';
import { MsgidTable } from '@volley/wire';
import type { InFlightCall } from './in-flight-call.js';

/**
 * Calls in progress, indexed so that a cancel, a duplicate or a vanished connection finds them.
 *
 * Stream connections own their calls (a per-connection map keyed by msgid); UDP has no
 * connection, so its calls live in one map keyed by `<client id or address>/<msgid>`.
 */
export class CallTable {
  readonly #streams = new Map<Channel, StreamCalls>();
  readonly #datagram = new Map<string, InFlightCall>();
  #nextConnectionId = 1;
  #size = 0;

  /** Calls in progress across all channels. */
  get size(): number {
    return this.#size;
  }

  /** UDP calls running now. */
  get datagramCount(): number {
    return this.#datagram.size;
  }

  /** Open stream connections. */
  get streamCount(): number {
    return this.#streams.size;
  }

  openStream(channel: Channel): StreamCalls {
    const state: StreamCalls = { id: this.#nextConnectionId++, calls: new MsgidTable() };
    this.#streams.set(channel, state);
    return state;
  }

  /** Forgets a stream and returns the calls it still had running. */
  closeStream(channel: Channel): InFlightCall[] {
    const state = this.#streams.get(channel);
    if (!state) return [];
    this.#streams.delete(channel);
    this.#size -= state.calls.size;
    return state.calls.values();
  }

  streamOf(channel: Channel): StreamCalls | undefined {
    return this.#streams.get(channel);
  }

  /** Every open stream channel (for goaway on close). */
  streamChannels(): IterableIterator<Channel> {
    return this.#streams.keys();
  }

  get(channel: Channel, key: string | number): InFlightCall | undefined {
    return channel.mode === 'datagram' ? this.#datagram.get(key as string) : this.#streams.get(channel)?.calls.get(key as number);
  }

  add(channel: Channel, call: InFlightCall): void {
    if (channel.mode === 'datagram') this.#datagram.set(call.key as string, call);
    else this.#streams.get(channel)?.calls.set(call.key as number, call);
    this.#size++;
  }

  delete(channel: Channel, call: InFlightCall): void {
    const removed = channel.mode === 'datagram'
      ? this.#datagram.get(call.key as string) === call && this.#datagram.delete(call.key as string)
      : this.#streams.get(channel)?.calls.get(call.key as number) === call && this.#streams.get(channel)?.calls.delete(call.key as number);
    if (removed) this.#size--;
  }

  /** Every call in progress. */
  *all(): Generator<InFlightCall> {
    yield* this.#datagram.values();
    for (const state of this.#streams.values()) yield* state.calls.values();
  }
}

/**
 * A stream connection's id (for request ids in logs) and its calls by msgid. A MsgidTable, not a
 * Map: calls of async handlers come and go constantly, and a Map's discarded backing tables kept
 * finished calls alive through young GCs (in-process loop of async calls: 1.3 MB promoted per
 * scavenge; see msgid-table.ts).
 */
export interface StreamCalls {
  readonly id: number;
  readonly calls: MsgidTable<InFlightCall>;
}
