import { createCodec, KIND } from '@volley/wire';
import { FrameDecoder } from '@volley/wire/internal';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encodeAddDatagram, encodeAddFrame, firstFrame, isAddReply, readDatagramReply } from './wire-requests.js';

const codec = createCodec();

function framesOf(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  new FrameDecoder((payload) => frames.push(Buffer.from(payload))).push(bytes);
  return frames;
}

describe('hand-encoded Volley requests', () => {
  it('frames an add request that the Volley codec decodes as such', () => {
    const [payload, ...rest] = framesOf(encodeAddFrame('volley', 77));
    expect(rest).toHaveLength(0);
    const decoded = codec.decode(payload as Buffer);
    expect(decoded).toMatchObject({
      ok: true,
      value: { kind: KIND.request, id: 77, method: 'add', input: { a: 1, b: 2 } },
    });
  });

  it('encodes a datagram carrying the client id, attempt and deadline as request metadata', () => {
    const clientId = Buffer.from('0102030405060708', 'hex');
    const decoded = codec.decode(encodeAddDatagram('addOnce', 9, clientId, 2, 60_000));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toMatchObject({
      kind: KIND.request,
      id: 9,
      method: 'addOnce',
      meta: { attempt: 2, deadlineMs: 60_000 },
    });
    expect(Buffer.from((decoded.value as { meta: { clientId: Uint8Array } }).meta.clientId)).toEqual(clientId);
  });

  it('recognises the Volley codec reply to its request, and not one for another msgid', () => {
    const reply = codec.encode({ kind: KIND.response, id: 5, result: { sum: 3 } });
    expect(isAddReply('volley', reply, 5)).toBe(true);
    expect(isAddReply('volley', reply, 6)).toBe(false);
  });

  it('reads the msgid and error code of a UDP error reply', () => {
    const reply = codec.encode({ kind: KIND.response, id: 12, error: { code: 'RESOURCE_EXHAUSTED', message: 'full' } });
    expect(readDatagramReply(reply)).toEqual({ msgid: 12, errorCode: 'RESOURCE_EXHAUSTED', sum: undefined });
  });
});

describe('hand-encoded raw requests', () => {
  it('frames [msgid, op add, {a, b}] and recognises the raw reply', () => {
    const packr = new Packr({ useRecords: false, mapsAsObjects: true });
    const [payload] = framesOf(encodeAddFrame('raw', 3));
    expect(packr.unpack(payload as Buffer)).toEqual([3, 0, { a: 1, b: 2 }]);
    expect(isAddReply('raw', packr.pack([3, { sum: 3 }]), 3)).toBe(true);
  });
});

describe('firstFrame', () => {
  it('waits for the whole first frame, then returns exactly its payload', () => {
    const frame = encodeAddFrame('volley', 1);
    expect(firstFrame(frame.subarray(0, 3))).toBeUndefined();
    expect(firstFrame(frame.subarray(0, frame.length - 1))).toBeUndefined();
    expect(firstFrame(Buffer.concat([frame, frame]))).toEqual(frame.subarray(4));
  });
});
