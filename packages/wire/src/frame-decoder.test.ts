import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES } from './constants.js';
import { FrameDecoder } from './frame-decoder.js';
import { encodeFrame } from './frame-encoder.js';

function collect(maxFrameBytes?: number) {
  const frames: string[] = [];
  const decoder = new FrameDecoder((payload) => frames.push(payload.toString()), maxFrameBytes);
  return { frames, decoder };
}

describe('FrameDecoder', () => {
  it('emits every frame when chunks split headers and payloads at every offset', () => {
    const stream = Buffer.concat([
      encodeFrame(Buffer.from('hello')),
      encodeFrame(Buffer.from('w')),
      encodeFrame(Buffer.from('orld!!')),
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      const { frames, decoder } = collect();
      expect(decoder.push(stream.subarray(0, cut))).toBeUndefined();
      expect(decoder.push(stream.subarray(cut))).toBeUndefined();
      expect(frames).toEqual(['hello', 'w', 'orld!!']);
    }
  });

  it('emits frames byte by byte', () => {
    const stream = Buffer.concat([encodeFrame(Buffer.from('abc')), encodeFrame(Buffer.from('de'))]);
    const { frames, decoder } = collect();
    for (const byte of stream) decoder.push(Buffer.from([byte]));
    expect(frames).toEqual(['abc', 'de']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('refuses a length above the limit before allocating, and stays failed', () => {
    const { frames, decoder } = collect(1024);
    const header = Buffer.from([0xff, 0xff, 0xff, 0xf0]);
    expect(decoder.push(header)?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.push(encodeFrame(Buffer.from('x')))?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(frames).toEqual([]);
  });

  it('refuses a zero-length frame', () => {
    const { decoder } = collect();
    expect(decoder.push(Buffer.alloc(4))?.code).toBe('BAD_REQUEST');
  });
});

describe('FrameDecoder memory', () => {
  it('allocates nothing for the length a peer announces before the bytes arrive', () => {
    const { frames, decoder } = collect();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(DEFAULT_MAX_FRAME_BYTES - 1);
    const chunk = Buffer.concat([header, Buffer.from('abc')]);
    const allocations = [
      vi.spyOn(Buffer, 'allocUnsafe'),
      vi.spyOn(Buffer, 'alloc'),
      vi.spyOn(Buffer, 'allocUnsafeSlow'),
    ];
    decoder.push(chunk);
    for (const spy of allocations) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    expect(decoder.bufferedBytes).toBe(7);
    expect(frames).toEqual([]);
  });

  it('reassembles a frame spread over many chunks into one copy', () => {
    const payload = Buffer.alloc(10_000, 7);
    const stream = encodeFrame(payload);
    const got: Buffer[] = [];
    const decoder = new FrameDecoder((frame) => got.push(frame));
    for (let i = 0; i < stream.length; i += 999) decoder.push(stream.subarray(i, i + 999));
    expect(got).toHaveLength(1);
    expect(got[0]?.equals(payload)).toBe(true);
  });
});

describe('FrameDecoder backpressure', () => {
  it('holds the rest of a chunk when the consumer says stop, and decodes it on resume', () => {
    const frames: string[] = [];
    let accept = 1;
    const decoder = new FrameDecoder((payload) => {
      frames.push(payload.toString());
      return --accept > 0;
    });
    const stream = Buffer.concat(['a', 'b', 'c', 'd'].map((letter) => encodeFrame(Buffer.from(letter))));
    decoder.push(stream);
    expect(frames).toEqual(['a']);
    expect(decoder.paused).toBe(true);
    accept = 2;
    decoder.resume();
    expect(frames).toEqual(['a', 'b', 'c']);
    accept = 10;
    decoder.push(encodeFrame(Buffer.from('e')));
    expect(frames).toEqual(['a', 'b', 'c']);
    decoder.resume();
    expect(frames).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(decoder.paused).toBe(false);
  });
});
