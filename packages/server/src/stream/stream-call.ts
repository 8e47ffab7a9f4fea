import type { StreamChannel } from '@volley/transport';
import type { MsgidTable } from '@volley/wire/internal';
import { InFlightCall } from '../in-flight-call.js';

/**
 * A stream connection's number (for request ids in logs) and its running calls by msgid. A
 * MsgidTable, not a Map: calls of async handlers come and go constantly, and a Map's discarded
 * backing tables kept finished calls alive through young GCs (in-process loop of async calls:
 * 1.3 MB promoted per scavenge; see msgid-table.ts).
 */
export interface StreamConnection {
  readonly id: number;
  readonly calls: MsgidTable<StreamCall>;
  /** Set when the connection closes: its calls were counted out with it. */
  closed: boolean;
}

/** A call that came on a stream connection: its reply goes back on that connection. */
export class StreamCall extends InFlightCall<StreamChannel> {
  readonly connection: StreamConnection;

  constructor(id: number, channel: StreamChannel, arrived: number, connection: StreamConnection) {
    super(id, channel, arrived);
    this.connection = connection;
  }

  /** `c<connection>/<msgid>`. */
  get requestId(): string {
    return `c${this.connection.id}/${this.id}`;
  }
}
