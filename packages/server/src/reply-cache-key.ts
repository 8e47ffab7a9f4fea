import { createHash } from 'node:crypto';
import type { Channel } from '@volley/transport';
import { latin1 } from './latin1.js';

/**
 * `<client id>/<msgid>[/<credentials hash>]`, the key of a UDP call in the call table and the
 * reply cache. A stream request carrying a client id (a client fetching a truncated reply over TCP)
 * gets the same key; other stream requests get none. latin1 maps each byte to one char: the
 * cheapest exact string key for 8 bytes (hex is for logs). The credentials take part so that a
 * kept reply is only ever resent to a request bearing the same credentials: someone who learns a
 * client id and msgid cannot read another caller's reply or plant an answer for it.
 */
export function replyCacheKey(channel: Channel, id: number, clientId: Uint8Array | undefined, auth: string | undefined): string | undefined {
  let key: string;
  if (clientId !== undefined) key = `${latin1(clientId)}/${id}`;
  else if (channel.connectionless) key = `${channel.peer.address}:${channel.peer.port}/${id}`;
  else return undefined;
  return auth === undefined ? key : `${key}/${createHash('sha256').update(auth).digest('base64')}`;
}
