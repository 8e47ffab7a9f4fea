import { type CallResult, dispatch } from '@volley/router/internal';
import type { Channel, DatagramChannel, StreamChannel, TransportListener } from '@volley/transport';
import { type Codec, KIND, type NotificationEnvelope, RpcError } from '@volley/wire';
import type { DecodeFailure } from '@volley/wire/internal';
import { CallContext, Notification } from './call-context.js';
import type { CallPolicy, ConnectionTable } from './call-policy.js';
import { type CallRunnerDeps, createCallRunner } from './call-runner.js';
import type { InFlightCall } from './in-flight-call.js';
import { levelOfFailure } from './log-call.js';
import { endObservation, observeRefusal } from './observe/observers.js';
import { encodeSigningRefusal } from './signing/signing-refusal.js';

/**
 * What the message handler needs from the server that owns it: what its call runner needs, the
 * codec, and one policy per channel kind (the datagram one comes from `datagram/`, wired by
 * the server, so nothing here depends on how datagrams are answered).
 */
export interface MessageHandlerDeps extends Omit<CallRunnerDeps, 'inFlight'> {
  codec: Codec;
  datagram: CallPolicy<InFlightCall<DatagramChannel>>;
  stream: CallPolicy<InFlightCall<StreamChannel>> & ConnectionTable;
}

/**
 * Turns transport events into calls: decode, route by envelope kind, track the call, reply.
 * Nothing a peer sends can throw out of here; every failure becomes an error reply and a log line.
 */
export function createMessageHandler(deps: MessageHandlerDeps): MessageHandler {
  const { router, logger, limiter, codec, stats, datagram, stream } = deps;
  const inFlight = () => datagram.size + stream.size;
  const runner = createCallRunner({ ...deps, inFlight });

  function onMessage<T extends InFlightCall>(policy: CallPolicy<T>, bytes: Buffer, channel: T['channel']): void {
    const decoded = codec.decode(bytes);
    if (!decoded.ok) {
      onMalformed(policy, decoded.error, bytes.length, channel);
      return;
    }
    const envelope = decoded.value;
    switch (envelope.kind) {
      case KIND.request:
        runner.run(policy, envelope, channel, bytes.length);
        return;
      case KIND.notification:
        onNotification(envelope, channel, policy.senderOf(channel));
        return;
      case KIND.cancel: {
        const call = policy.find(channel, envelope.id, envelope.meta);
        if (call && !call.settled) {
          stats.cancelled++;
          runner.finishEarly(policy, call, new RpcError('CANCELLED', 'Cancelled by the caller'), false);
          logger.debug({ reqId: call.requestId, peer: channel.peer }, 'call cancelled by the caller');
        }
        return;
      }
      case KIND.ping:
        policy.send(channel, codec.encode({ kind: KIND.pong, id: envelope.id }));
        return;
      case KIND.signed:
        // A signing client must hear why nothing runs, not retransmit into silence.
        stats.signatureRejected++;
        policy.send(
          channel,
          encodeSigningRefusal(
            codec,
            envelope.inner,
            new RpcError('UNAUTHENTICATED', 'This server has no signing keys: it cannot check signed messages'),
          ),
        );
        return;
      default:
        logger.debug({ kind: envelope.kind, peer: channel.peer }, 'ignored an envelope a server does not expect');
    }
  }

  function onMalformed<T extends InFlightCall>(
    policy: CallPolicy<T>,
    failure: DecodeFailure,
    bytesIn: number,
    channel: T['channel'],
  ): void {
    stats.malformed++;
    // The peer's fault (BAD_REQUEST), and what a flood of garbage produces: info, rate-limited.
    limiter.log(
      'info',
      `malformed ${channel.kind}`,
      { peer: channel.peer, bytes: bytesIn, reason: failure.error.message },
      'malformed envelope',
    );
    const sent = policy.replyMalformed(channel, failure);
    observeRefusal(deps.observer, channel, bytesIn, failure.error, sent);
  }

  function onNotification(envelope: NotificationEnvelope, channel: Channel, sender: string): void {
    stats.notifications++;
    const log = (outcome: CallResult) => {
      if (outcome.ok) return;
      const { code } = outcome.error;
      limiter.log(
        levelOfFailure(code),
        `notification failed ${code}`,
        { procedure: envelope.method, peer: channel.peer, code, err: outcome.error.cause ?? outcome.error },
        'notification failed',
      );
    };
    const context = new CallContext(envelope.method, new Notification(channel, sender), envelope.meta, logger);
    const result = dispatch(router, envelope.method, envelope.input, context);
    if (result instanceof Promise) result.then(log);
    else log(result);
  }

  /** Datagrams received so far: a draining server keeps its UDP socket until this stops moving. */
  let datagramsIn = 0;
  const listener: TransportListener = {
    onMessage(bytes, channel) {
      try {
        // The one place a channel's kind is looked at: everything after runs with its policy.
        if (channel.mode === 'datagram') {
          datagramsIn++;
          onMessage(datagram, bytes, channel);
        } else onMessage(stream, bytes, channel);
      } catch (error) {
        // A bug of ours, not the peer's: log it loudly, keep serving.
        logger.error({ err: error, peer: channel.peer }, 'unexpected failure handling a message');
      }
    },
    onChannelOpen(channel) {
      const connection = stream.open(channel);
      logger.debug({ conn: connection.id, peer: channel.peer }, 'connection opened');
    },
    onChannelClose(channel, reason) {
      const id = stream.connectionOf(channel)?.id;
      const orphans = stream.close(channel);
      if (reason) stats.brokenStreams++;
      if (reason)
        limiter.log(
          'warn',
          'closed on error',
          { conn: id, peer: channel.peer, reason: reason.message, abandonedCalls: orphans.length },
          'connection closed on error',
        );
      else if (orphans.length > 0)
        limiter.log(
          'info',
          'went away',
          { conn: id, peer: channel.peer, abandonedCalls: orphans.length },
          'client went away mid-call',
        );
      else logger.debug({ conn: id, peer: channel.peer }, 'connection closed');
      for (const call of orphans) {
        const reason = new RpcError('CANCELLED', 'The client connection closed');
        call.settle();
        call.abort(reason);
        if (call.watch !== undefined) endObservation(call, 'dispatched', reason, 0);
      }
      // A draining server waits for clients to close their connections, too.
      deps.onCallDone();
    },
    onChannelIdle(channel) {
      const connection = stream.connectionOf(channel);
      const running = connection?.calls.size ?? 0;
      if (running === 0) logger.info({ conn: connection?.id, peer: channel.peer }, 'closing an idle connection');
      return running === 0;
    },
    onTransportError(error, peer) {
      limiter.log('warn', 'transport error', { err: error, peer }, 'transport error');
    },
    onConnectionRefused(refusal, peer) {
      // Expected under attack: no stack, one line per window (every one counted in the transport's stats).
      limiter.log(
        'warn',
        `refused ${refusal.code}`,
        { peer, code: refusal.code, reason: refusal.message },
        'connection refused',
      );
    },
  };

  return {
    listener,
    get inFlight() {
      return inFlight();
    },
    get datagramsIn() {
      return datagramsIn;
    },
    goaway(reason) {
      const bytes = codec.encode({ kind: KIND.goaway, reason });
      for (const channel of stream.channels()) if (channel.send(bytes)) stats.goawaysSent++;
    },
    abortAll(reason) {
      for (const call of [...datagram.calls()]) runner.finishEarly(datagram, call, reason, true);
      for (const call of [...stream.calls()]) runner.finishEarly(stream, call, reason, true);
    },
  };
}

/** The transport listener plus what the server reads and the levers `close()` pulls. */
export interface MessageHandler {
  readonly listener: TransportListener;
  /** Calls running now, of every channel kind. */
  readonly inFlight: number;
  /** Datagrams received since the server started. */
  readonly datagramsIn: number;
  /** Tells every stream client to take new calls elsewhere. */
  goaway(reason: string): void;
  /** Ends every call in progress with `reason`, replying to its caller. */
  abortAll(reason: RpcError): void;
}
