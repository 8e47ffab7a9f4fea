import { type CallResult, dispatch } from '@volley/router';
import type { Channel, TransportListener } from '@volley/transport';
import { type Codec, type DecodeFailure, KIND, type NotificationEnvelope, RpcError } from '@volley/wire';
import { CallContext } from './call-context.js';
import { type CallRunnerDeps, createCallRunner } from './call-runner.js';
import { InFlightCall } from './in-flight-call.js';
import { levelOfFailure } from './log-call.js';
import { META_ROOM_BYTES, ReplySender } from './reply-sender.js';
import { encodeSigningRefusal } from './signing/signing-refusal.js';

/**
 * What the message handler needs from the server that owns it: what its call runner needs (it
 * makes the runner's reply sender itself), plus the codec.
 */
export interface MessageHandlerDeps extends Omit<CallRunnerDeps, 'replies'> {
  codec: Codec;
}

/**
 * Turns transport events into calls: decode, route by envelope kind, track the call, reply.
 * Nothing a peer sends can throw out of here; every failure becomes an error reply and a log line.
 */
export function createMessageHandler(deps: MessageHandlerDeps): MessageHandler {
  const { router, logger, limiter, codec, calls, stats } = deps;
  const replies = new ReplySender(codec, logger, stats);
  const runner = createCallRunner({ ...deps, replies });

  function onMessage(bytes: Buffer, channel: Channel): void {
    const decoded = codec.decode(bytes);
    if (!decoded.ok) {
      onMalformed(decoded.error, bytes.length, channel);
      return;
    }
    const envelope = decoded.value;
    switch (envelope.kind) {
      case KIND.request:
        runner.run(envelope, channel);
        return;
      case KIND.notification:
        onNotification(envelope, channel);
        return;
      case KIND.cancel: {
        const call = runner.find(channel, envelope.id, envelope.meta);
        if (call && !call.settled) {
          stats.cancelled++;
          runner.finishEarly(call, new RpcError('CANCELLED', 'Cancelled by the caller'), false);
          logger.debug({ reqId: call.requestId, peer: channel.peer }, 'call cancelled by the caller');
        }
        return;
      }
      case KIND.ping:
        replies.send(channel, { kind: KIND.pong, id: envelope.id });
        return;
      case KIND.signed:
        // A signing client must hear why nothing runs, not retransmit into silence.
        stats.signatureRejected++;
        replies.sendBytes(channel, encodeSigningRefusal(codec, envelope.inner, new RpcError('UNAUTHENTICATED', 'This server has no signing keys: it cannot check signed messages')));
        return;
      default:
        logger.debug({ kind: envelope.kind, peer: channel.peer }, 'ignored an envelope a server does not expect');
    }
  }

  function onMalformed(failure: DecodeFailure, bytesIn: number, channel: Channel): void {
    stats.malformed++;
    if (channel.mode === 'datagram') stats.malformedDatagrams++;
    // The peer's fault (BAD_REQUEST), and what a flood of garbage produces: info, rate-limited.
    limiter.log('info', `malformed ${channel.kind}`, { peer: channel.peer, bytes: bytesIn, reason: failure.error.message }, 'malformed envelope');
    // A well-formed request refused before decoding (input over its procedure's limit) names its
    // client id and attempt: a UDP client accepts only replies that echo them.
    const meta = channel.mode === 'datagram' && failure.meta?.clientId !== undefined ? { attempt: failure.meta.attempt, clientId: failure.meta.clientId } : undefined;
    const reply = replies.withMeta(replies.encodeError(failure.id ?? null, failure.error, channel.maxMessageBytes - (meta ? META_ROOM_BYTES : 0)), meta);
    // To a datagram source the reply goes out only within its anti-amplification budget (sendBytes).
    replies.sendBytes(channel, reply);
  }

  function onNotification(envelope: NotificationEnvelope, channel: Channel): void {
    stats.notifications++;
    const call = new InFlightCall(-1, channel, channel.mode === 'datagram' ? 0 : (calls.streamOf(channel)?.id ?? 0));
    const log = (outcome: CallResult) => {
      if (outcome.ok) return;
      const { code } = outcome.error;
      limiter.log(levelOfFailure(code), `notification failed ${code}`, { procedure: envelope.method, peer: channel.peer, code, err: outcome.error.cause ?? outcome.error }, 'notification failed');
    };
    const result = dispatch(router, envelope.method, envelope.input, new CallContext(envelope.method, call, envelope.meta, logger));
    if (result instanceof Promise) result.then(log);
    else log(result);
  }

  const listener: TransportListener = {
    onMessage(bytes, channel) {
      try {
        onMessage(bytes, channel);
      } catch (error) {
        // A bug of ours, not the peer's: log it loudly, keep serving.
        logger.error({ err: error, peer: channel.peer }, 'unexpected failure handling a message');
      }
    },
    onChannelOpen(channel) {
      const state = calls.openStream(channel);
      logger.debug({ conn: state.id, peer: channel.peer }, 'connection opened');
    },
    onChannelClose(channel, reason) {
      const id = calls.streamOf(channel)?.id;
      const orphans = calls.closeStream(channel);
      if (reason) stats.brokenStreams++;
      if (reason) limiter.log('warn', 'closed on error', { conn: id, peer: channel.peer, reason: reason.message, abandonedCalls: orphans.length }, 'connection closed on error');
      else if (orphans.length > 0) limiter.log('info', 'went away', { conn: id, peer: channel.peer, abandonedCalls: orphans.length }, 'client went away mid-call');
      else logger.debug({ conn: id, peer: channel.peer }, 'connection closed');
      for (const call of orphans) {
        call.settled = true;
        clearTimeout(call.timer);
        call.abort(new RpcError('CANCELLED', 'The client connection closed'));
      }
      // A draining server waits for clients to close their connections, too.
      deps.onCallDone();
    },
    onChannelIdle(channel) {
      const running = calls.streamOf(channel)?.calls.size ?? 0;
      if (running === 0) logger.info({ conn: calls.streamOf(channel)?.id, peer: channel.peer }, 'closing an idle connection');
      return running === 0;
    },
    onTransportError(error, peer) {
      limiter.log('warn', 'transport error', { err: error, peer }, 'transport error');
    },
    onConnectionRefused(refusal, peer) {
      // Expected under attack: no stack, one line per window (every one counted in the transport's stats).
      limiter.log('warn', `refused ${refusal.code}`, { peer, code: refusal.code, reason: refusal.message }, 'connection refused');
    },
  };

  return {
    listener,
    goaway(reason) {
      const bytes = codec.encode({ kind: KIND.goaway, reason });
      for (const channel of calls.streamChannels()) channel.send(bytes);
    },
    abortAll(reason) {
      for (const call of [...calls.all()]) runner.finishEarly(call, reason, true);
    },
  };
}

/** The transport listener plus the levers `close()` pulls. */
export interface MessageHandler {
  readonly listener: TransportListener;
  /** Tells every stream client to take new calls elsewhere. */
  goaway(reason: string): void;
  /** Ends every call in progress with `reason`, replying to its caller. */
  abortAll(reason: RpcError): void;
}
