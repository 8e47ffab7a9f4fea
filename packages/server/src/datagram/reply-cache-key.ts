import { createHash } from 'node:crypto';
import type { Channel, PeerAddress } from '@volley/transport';

/**
 * Leading chars that keep the key forms apart: an address never starts with a control char, so a
 * client id (chosen by the client) can never spell another caller's address key, or a key of the
 * other client-id form.
 */
const EIGHT_BYTE_CLIENT = 0;
const OTHER_CLIENT = '\u0001';

/**
 * The key of a UDP call in the table of running calls and the reply cache: its client id and
 * msgid (or, from a client that sent no id, its address and msgid), plus a hash of its
 * credentials. The credentials take part so that a kept reply is only ever resent to a request
 * bearing the same credentials: someone who learns a client id and msgid cannot read another
 * caller's reply or plant an answer for it. The one place a call key is built.
 *
 * Every client sends an 8-byte id: its key is those bytes and the msgid's 4 as 13 latin1 chars,
 * made by one `String.fromCharCode`: a flat one-byte string, with no number formatting and no
 * concatenation for V8 to flatten before hashing it (measured in docs/performance.md).
 */
export function toCallKey(
  peer: PeerAddress,
  id: number,
  clientId: Uint8Array | undefined,
  auth: string | undefined,
): string {
  let key: string;
  if (clientId !== undefined && clientId.length === 8) {
    const c = clientId;
    key = String.fromCharCode(
      EIGHT_BYTE_CLIENT,
      c[0] as number,
      c[1] as number,
      c[2] as number,
      c[3] as number,
      c[4] as number,
      c[5] as number,
      c[6] as number,
      c[7] as number,
      id >>> 24,
      (id >>> 16) & 0xff,
      (id >>> 8) & 0xff,
      id & 0xff,
    );
  } else if (clientId !== undefined) {
    key = `${OTHER_CLIENT}${Buffer.from(clientId.buffer, clientId.byteOffset, clientId.byteLength).toString('latin1')}/${id}`;
  } else key = `${peer.address}:${peer.port}/${id}`;
  return auth === undefined ? key : `${key}/${createHash('sha256').update(auth).digest('base64')}`;
}

/**
 * {@link toCallKey} of a request on any channel. A stream request carrying a client id (a client
 * fetching a truncated reply over TCP) gets the key the call had over UDP; other stream requests
 * get none, since a stream's address names a connection, not a caller.
 */
export function replyCacheKey(
  channel: Channel,
  id: number,
  clientId: Uint8Array | undefined,
  auth: string | undefined,
): string | undefined {
  if (clientId === undefined && channel.mode === 'stream') return undefined;
  return toCallKey(channel.peer, id, clientId, auth);
}
