import { type CallResult, type CompiledRouter, dispatch } from '@volley/router';
import type { Channel, TransportListener } from '@volley/transport';
import { type Codec, type DecodeFailure, KIND, type NotificationEnvelope, type RequestEnvelope, RpcError } from '@volley/wire';
import type { Logger } from 'pino';
import { CallContext } from './call-context.js';
import type { CallTable } from './call-table.js';
import { MAX_TIMER_DELAY_MS, UNVALIDATED_REPLY_FACTOR } from './constants.js';
import { InFlightCall } from './in-flight-call.js';
import { logCallOutcome } from './log-call.js';
import { ReplySender } from './reply-sender.js';
import type { ServerStats } from './server-stats.js';

/** What the message handler needs from the server that owns it. */
export interface MessageHandlerDeps {
  router: CompiledRouter;
  logger: Logger;
  codec: Codec;
  calls: CallTable;
  stats: ServerStats;
  isDraining(): boolean;
  /** Called whenever a call leaves the table, so a draining server can notice it is idle. */
  onCallDone(): void;
}

/**
 * Turns transport events into calls: decode, route by envelope kind, track the call, reply.
 * Nothing a peer sends can throw out of here; every failure becomes an error reply and a log line.
 */
export function createMessageHandler(deps: MessageHandlerDeps): MessageHandler {
  const { router, logger, codec, calls, stats } = deps;
  const replies = new ReplySender(codec, logger, stats);

  function onMessage(bytes: Buffer, channel: Channel): void {
    const decoded = codec.decode(bytes);
    if (!decoded.ok) {
      onMalformed(decoded.error, bytes.length, channel);
      return;
    }
    const envelope = decoded.value;
    switch (envelope.kind) {
      case KIND.request:
        onRequest(envelope, channel);
        return;
      case KIND.notification:
        onNotification(envelope, channel);
        return;
      case KIND.cancel: {
        const call = calls.get(channel, callKey(channel, envelope.id, envelope.meta?.clientId));
        if (call && !call.settled) {
          stats.cancelled++;
          finishEarly(call, new RpcError('CANCELLED', 'Cancelled by the caller'), false);
          logger.debug({ reqId: call.requestId, peer: channel.peer }, 'call cancelled by the caller');
        }
        return;
      }
      case KIND.ping:
        replies.send(channel, { kind: KIND.pong, id: envelope.id });
        return;
      default:
        logger.debug({ kind: envelope.kind, peer: channel.peer }, 'ignored an envelope a server does not expect');
    }
  }

  function onMalformed(failure: DecodeFailure, bytesIn: number, channel: Channel): void {
    stats.malformed++;
    logger.warn({ peer: channel.peer, bytes: bytesIn, reason: failure.error.message }, 'malformed envelope');
    const reply = replies.encodeError(failure.id ?? null, failure.error, channel.maxMessageBytes);
    // An unvalidated datagram source may be spoofed: never answer it with much more than it sent.
    if (channel.connectionless && reply.length > bytesIn * UNVALIDATED_REPLY_FACTOR) {
      stats.amplificationSuppressed++;
      return;
    }
    replies.sendBytes(channel, reply);
  }

  function onRequest(envelope: RequestEnvelope, channel: Channel): void {
    const key = callKey(channel, envelope.id, envelope.meta?.clientId);
    if (deps.isDraining()) {
      replies.sendError(channel, envelope.id, new RpcError('UNAVAILABLE', 'Server is shutting down; call not executed'));
      return;
    }
    if (calls.get(channel, key) !== undefined) {
      stats.duplicatesDropped++;
      logger.debug({ key }, 'duplicate of a call in progress dropped');
      return;
    }
    stats.calls++;
    const call = new InFlightCall(key, envelope.id, channel, channel.connectionless ? 0 : (calls.streamOf(channel)?.id ?? 0), envelope.meta?.clientId);
    const requested = envelope.meta?.deadlineMs;
    // Node clamps timer delays above 2^31-1 ms to 1 ms: a deadline that far away means "none".
    const deadlineMs = requested !== undefined && requested <= MAX_TIMER_DELAY_MS ? requested : undefined;
    const started = performance.now();
    const deadline = deadlineMs === undefined ? undefined : Date.now() + deadlineMs;
    const result = dispatch(router, envelope.method, envelope.input, new CallContext(envelope.method, call, envelope.meta, deadline, logger));
    if (!(result instanceof Promise)) {
      // Finished synchronously: nothing could cancel, duplicate or outlive it, so it never enters
      // the call table and needs no deadline timer.
      reply(call, envelope.method, result, started);
      return;
    }
    // Still running: track it so cancels, duplicates, the deadline and a drain can find it.
    calls.add(channel, call);
    if (deadlineMs !== undefined) {
      call.timer = setTimeout(onDeadline, Math.max(0, Math.ceil(deadlineMs - (performance.now() - started))), call, envelope.method, deadlineMs);
    }
    result.then((outcome) => finish(call, envelope.method, outcome, started));
  }

  function onDeadline(call: InFlightCall, procedure: string, deadlineMs: number): void {
    stats.deadlineExceeded++;
    finishEarly(call, new RpcError('DEADLINE_EXCEEDED', `Deadline of ${deadlineMs} ms exceeded`), true);
    logger.warn({ reqId: call.requestId, procedure, deadlineMs }, 'call exceeded its deadline');
  }

  function finish(call: InFlightCall, procedure: string, outcome: CallResult, started: number): void {
    if (call.settled) {
      logger.debug({ reqId: call.requestId }, 'result discarded: call already cancelled or past its deadline');
      return;
    }
    call.settled = true;
    clearTimeout(call.timer);
    calls.delete(call.channel, call);
    deps.onCallDone();
    reply(call, procedure, outcome, started);
  }

  function reply(call: InFlightCall, procedure: string, outcome: CallResult, started: number): void {
    if (outcome.ok) replies.sendResult(call.channel, call.id, outcome.value);
    else {
      stats.failedCalls++;
      replies.sendError(call.channel, call.id, outcome.error);
    }
    logCallOutcome(logger, call, procedure, outcome, performance.now() - started);
  }

  /** Ends a call before its handler did (cancel, deadline, shutdown); fires its signal. */
  function finishEarly(call: InFlightCall, reason: RpcError, reply: boolean): void {
    call.settled = true;
    clearTimeout(call.timer);
    call.abort(reason);
    calls.delete(call.channel, call);
    deps.onCallDone();
    if (reply) replies.sendError(call.channel, call.id, reason);
  }

  function onNotification(envelope: NotificationEnvelope, channel: Channel): void {
    stats.notifications++;
    const call = new InFlightCall(-1, -1, channel, channel.connectionless ? 0 : (calls.streamOf(channel)?.id ?? 0));
    const log = (outcome: CallResult) => {
      if (!outcome.ok) logger.warn({ procedure: envelope.method, peer: channel.peer, code: outcome.error.code, err: outcome.error.cause ?? outcome.error }, 'notification failed');
    };
    const result = dispatch(router, envelope.method, envelope.input, new CallContext(envelope.method, call, envelope.meta, undefined, logger));
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
      if (reason || orphans.length > 0) {
        logger.warn({ conn: id, peer: channel.peer, reason: reason?.message, abandonedCalls: orphans.length }, reason ? 'connection closed on error' : 'client went away mid-call');
      } else logger.debug({ conn: id, peer: channel.peer }, 'connection closed');
      for (const call of orphans) {
        call.settled = true;
        clearTimeout(call.timer);
        call.abort(new RpcError('CANCELLED', 'The client connection closed'));
      }
      if (orphans.length > 0) deps.onCallDone();
    },
    onTransportError(error, peer) {
      logger.warn({ err: error, peer }, 'transport error');
    },
  };

  return {
    listener,
    goaway(reason) {
      const bytes = codec.encode({ kind: KIND.goaway, reason });
      for (const channel of calls.streamChannels()) channel.send(bytes);
    },
    abortAll(reason) {
      for (const call of [...calls.all()]) finishEarly(call, reason, true);
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

/** Streams key calls by msgid; UDP by client id (or address) and msgid, since there is no connection. */
function callKey(channel: Channel, id: number, clientId: Uint8Array | undefined): string | number {
  if (!channel.connectionless) return id;
  // latin1 maps each byte to one char: the cheapest exact string key for 8 bytes (hex is for logs).
  const client = clientId ? Buffer.from(clientId.buffer, clientId.byteOffset, clientId.byteLength).toString('latin1') : `${channel.peer.address}:${channel.peer.port}`;
  return `${client}/${id}`;
}
