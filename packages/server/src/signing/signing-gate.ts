import type { Channel, DatagramChannel, PeerAddress, StreamChannel, TransportListener } from '@volley/transport';
import {
  type Codec,
  DEFAULT_SIGNATURE_SKEW_MS,
  KIND,
  RpcError,
  type SignedEnvelope,
  type SigningScope,
  signatureOverheadBytes,
  signEnvelope,
  verifySignedEnvelope,
} from '@volley/wire';
import type { LogLimiter } from '../log-limiter.js';
import type { ServerStats } from '../server-stats.js';
import { SignatureReplayGuard } from './signature-replay-guard.js';
import { encodeSigningRefusal, signedBeforeStartError } from './signing-refusal.js';

/** Signed messages: which keys to accept, for which names, and whether unsigned ones are refused. */
export interface SigningOptions {
  /** Key id → secret. Two entries at once let keys rotate without breaking clients. */
  keys: Record<string, Uint8Array | string>;
  /**
   * Refuse unsigned requests, notifications and cancels with UNAUTHENTICATED (default true), on
   * every transport of the server; a TLS connection whose client certificate verified (mTLS) is
   * authenticated by it and may send unsigned frames.
   */
  required?: boolean;
  /** Tolerated clock difference, ms (default 30 000). Signatures are remembered this long, to drop replays. */
  skewMs?: number;
  /**
   * Names clients sign for (a client's default is its URL's `host:port`), beside the addresses
   * the server listens on: set it when clients call the server by a DNS name or through a proxy,
   * or when it listens on all interfaces (`0.0.0.0`).
   */
  audience?: string | readonly string[];
  /** Signatures remembered to drop replays (default 100 000); see `DEFAULT_MAX_REMEMBERED_SIGNATURES`. */
  maxRememberedSignatures?: number;
}

/** What the gate needs from its server. */
export interface SigningGateDeps {
  codec: Codec;
  limiter: LogLimiter;
  stats: ServerStats;
  /** True for a name this server listens at (`host:port`, a Unix path, a memory name). */
  isOwnAddress(audience: string): boolean;
  /** Told of every message refused for its signature, for the server's observers; `responseBytes` 0 when none was sent. */
  onRefused?(channel: Channel, requestBytes: number, error: RpcError, responseBytes: number): void;
}

/** Each gate's {@link signingStarted} promise. */
const startedGates = new WeakMap<TransportListener, Promise<void>>();

/**
 * Resolves once a server may bind with `listener`: at once (undefined) for a server that does not
 * sign; for a signing gate, once the wall clock has passed the second its replay memory began in.
 * Signatures carry whole seconds and that second's are refused (they may predate the start), so a
 * server that binds only after it refuses no honest client whose clock keeps time: it is
 * unreachable for that part of a second instead (a fraction of a second added to `listen()`).
 */
export function signingStarted(listener: TransportListener): Promise<void> | undefined {
  return startedGates.get(listener);
}

/**
 * Makes "this server requires signatures" hold on every transport that reaches it: wraps the
 * server's transport listener so that each message must carry a valid HMAC (wire/signing.ts)
 * under a known key, for one of this server's names, within the skew, never seen before. A stream
 * is held to the same rule as a datagram, so the TCP route a UDP client uses for large messages
 * is no way around it; only a TLS client whose certificate verified (mTLS) may skip signing.
 *
 * Replies are signed with the key and audience of the request (on a stream, of its latest signed
 * frame). Refusals are unsigned (we do not know a key the sender holds) and go out within the
 * datagram's anti-amplification budget. Pings are answered whether signed or not: a pong carries
 * nothing, and a TLS client confirms its connection with one before it signs anything.
 *
 * The replay memory begins when the gate is made (the server's first `listen`): a signature
 * stamped no later is refused with UNAUTHENTICATED, since the process before this one on the
 * address may have accepted it (see SignatureReplayGuard). Bind after {@link signingStarted}.
 */
export function createSigningGate(
  inner: TransportListener,
  options: SigningOptions,
  deps: SigningGateDeps,
): TransportListener {
  const { codec, limiter, stats } = deps;
  const keys = new Map(Object.entries(options.keys));
  const required = options.required ?? true;
  const skewMs = options.skewMs ?? DEFAULT_SIGNATURE_SKEW_MS;
  const named = new Set(typeof options.audience === 'string' ? [options.audience] : (options.audience ?? []));
  const verifyOptions = {
    skewMs,
    isAudience: (audience: string) => named.has(audience) || deps.isOwnAddress(audience),
  };
  const guard = new SignatureReplayGuard(skewMs, { maxEntries: options.maxRememberedSignatures });
  /** One signing view per stream connection, so the server's call table sees one channel per connection. */
  const streams = new WeakMap<StreamChannel, SigningStreamChannel>();
  const streamView = (channel: StreamChannel): SigningStreamChannel => {
    let view = streams.get(channel);
    if (view === undefined) {
      view = new SigningStreamChannel(channel, codec);
      streams.set(channel, view);
    }
    return view;
  };
  const viewOf = (channel: Channel): Channel => (channel.mode === 'datagram' ? channel : streamView(channel));

  function refuse(channel: Channel, innerBytes: Uint8Array, error: RpcError): void {
    stats.signatureRejected++;
    // UNAUTHENTICATED is the caller's failure: info, one line per window (every one counted).
    limiter.log('info', 'signature rejected', { peer: channel.peer, reason: error.message }, 'signed message rejected');
    const reply = encodeSigningRefusal(codec, innerBytes, error);
    if (channel.mode === 'datagram' && reply.length > channel.sendBudget) {
      stats.amplificationSuppressed++;
      deps.onRefused?.(channel, innerBytes.length, error, 0);
      return;
    }
    channel.send(reply);
    deps.onRefused?.(channel, innerBytes.length, error, reply.length);
  }

  function onSigned(envelope: SignedEnvelope, channel: Channel): void {
    const verified = verifySignedEnvelope(envelope, keys, verifyOptions);
    if (!verified.ok) {
      refuse(channel, envelope.inner, verified.error);
      return;
    }
    const verdict = guard.admit(envelope.mac, envelope.timestamp, Date.now());
    if (verdict === 'before-start') {
      // Answered, unlike a replay: this process accepted nothing signed then, so no original of
      // it runs here, and an honest sender (its clock behind) learns why.
      refuse(channel, envelope.inner, signedBeforeStartError(codec, envelope.inner, guard.startedAtMs));
      return;
    }
    if (verdict !== 'fresh') {
      // Dropped without a word: a reply could reach a caller whose original is still running.
      stats.signatureReplays++;
      limiter.log(
        'info',
        `signature ${verdict}`,
        { peer: channel.peer, keyId: envelope.keyId, verdict },
        'signed message dropped: replayed or older than the replay memory',
      );
      return;
    }
    const key = keys.get(envelope.keyId) as Uint8Array | string;
    const scope: SigningScope = { keyId: envelope.keyId, audience: envelope.audience, key };
    const innerBytes = Buffer.from(verified.value.buffer, verified.value.byteOffset, verified.value.byteLength);
    if (channel.mode === 'datagram') inner.onMessage(innerBytes, new SigningDatagramChannel(channel, codec, scope));
    else {
      const view = streamView(channel);
      view.signWith(scope);
      inner.onMessage(innerBytes, view);
    }
  }

  const gate: TransportListener = {
    onMessage(bytes, channel) {
      const decoded = codec.decode(bytes);
      if (decoded.ok && decoded.value.kind === KIND.signed) {
        onSigned(decoded.value, channel);
        return;
      }
      // Undecodable bytes get the malformed-message answer (within budget); pings a pong.
      const exempt =
        !decoded.ok || decoded.value.kind === KIND.ping || !required || channel.peer.identity !== undefined;
      if (exempt) inner.onMessage(bytes, viewOf(channel));
      else refuse(channel, bytes, new RpcError('UNAUTHENTICATED', 'This server accepts signed messages only'));
    },
    onChannelOpen: (channel) => inner.onChannelOpen?.(streamView(channel)),
    onChannelClose: (channel, reason) => inner.onChannelClose?.(streamView(channel), reason),
    onChannelIdle: (channel) => inner.onChannelIdle?.(streamView(channel)) ?? true,
    onTransportError: (error, peer) => inner.onTransportError?.(error, peer),
    onConnectionRefused: (refusal, peer) => inner.onConnectionRefused?.(refusal, peer),
  };
  startedGates.set(gate, pastTheSecondOf(guard.startedAtMs));
  return gate;
}

/**
 * Resolves once `Date.now()` is in a later second than `startedAtMs`. Timers run on the monotonic
 * clock, which may end a wait a millisecond before the wall clock's second does: check and wait
 * again, a few times at most (a wall clock stepped back must not hold `listen()` for long).
 */
async function pastTheSecondOf(startedAtMs: number): Promise<void> {
  const next = (Math.floor(startedAtMs / 1000) + 1) * 1000;
  for (let waits = 0; waits < 3 && Date.now() < next; waits++) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, next - Date.now()) + 1));
  }
}

/** The reply path of one verified datagram: signs with the request's key, within its budget. */
class SigningDatagramChannel implements DatagramChannel {
  readonly kind;
  readonly mode = 'datagram' as const;
  readonly peer: PeerAddress;
  readonly maxMessageBytes: number;
  readonly #channel: DatagramChannel;
  readonly #codec: Codec;
  readonly #scope: SigningScope;
  readonly #overhead: number;

  constructor(channel: DatagramChannel, codec: Codec, scope: SigningScope) {
    this.kind = channel.kind;
    this.peer = { ...channel.peer, signedBy: scope.keyId };
    this.#channel = channel;
    this.#codec = codec;
    this.#scope = scope;
    this.#overhead = signatureOverheadBytes(scope.keyId, scope.audience);
    this.maxMessageBytes = channel.maxMessageBytes - this.#overhead;
  }

  /** A valid signature proves the key, not the source address: the datagram's budget still holds. */
  get sendBudget(): number {
    return this.#channel.sendBudget - this.#overhead;
  }

  validate(): void {
    this.#channel.validate();
  }

  send(message: Uint8Array): boolean {
    return this.#channel.send(signEnvelope(this.#codec, message, this.#scope));
  }
}

/**
 * The server's view of one stream connection on a signing server: the same object for the whole
 * connection (the call table keys on it), signing what the server sends with the scope of the
 * connection's latest signed frame, or not at all before one (an mTLS client's connection).
 */
class SigningStreamChannel implements StreamChannel {
  readonly kind;
  readonly mode = 'stream' as const;
  peer: PeerAddress;
  readonly #channel: StreamChannel;
  readonly #codec: Codec;
  #scope: SigningScope | undefined;
  #overhead = 0;

  constructor(channel: StreamChannel, codec: Codec) {
    this.kind = channel.kind;
    this.peer = channel.peer;
    this.#channel = channel;
    this.#codec = codec;
  }

  get maxMessageBytes(): number {
    return this.#channel.maxMessageBytes - this.#overhead;
  }

  /** Called before each signed frame is handled, so the call it starts sees who signed it. */
  signWith(scope: SigningScope): void {
    if (this.#scope?.keyId !== scope.keyId || this.#scope.audience !== scope.audience) {
      this.#overhead = signatureOverheadBytes(scope.keyId, scope.audience);
      this.peer = { ...this.#channel.peer, signedBy: scope.keyId };
    }
    this.#scope = scope;
  }

  send(message: Uint8Array): boolean {
    return this.#channel.send(this.#scope === undefined ? message : signEnvelope(this.#codec, message, this.#scope));
  }

  close(reason?: RpcError): void {
    this.#channel.close(reason);
  }
}
