import { describe, expect, it } from 'vitest';
import { RpcError } from './rpc-error.js';

describe('RpcError on the wire', () => {
  it('sends notExecuted only when it differs from the code default', () => {
    expect(new RpcError('NOT_FOUND', 'x').toWire()).toEqual({ code: 'NOT_FOUND', message: 'x' });
    expect(new RpcError('PAYLOAD_TOO_LARGE', 'x', { notExecuted: false }).toWire()).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'x',
      notExecuted: false,
    });
  });

  it('rebuilds notExecuted from the wire, defaulting to the code table', () => {
    expect(RpcError.fromWire({ code: 'PAYLOAD_TOO_LARGE', message: 'x', notExecuted: false }).notExecuted).toBe(false);
    expect(RpcError.fromWire({ code: 'PAYLOAD_TOO_LARGE', message: 'x' }).notExecuted).toBe(true);
    expect(RpcError.fromWire({ code: 'DEADLINE_EXCEEDED', message: 'x' }).notExecuted).toBe(false);
  });

  it('turns an unknown code into INTERNAL keeping the original', () => {
    expect(RpcError.fromWire({ code: 'TEAPOT', message: 'short and stout' })).toMatchObject({
      code: 'INTERNAL',
      data: { remoteCode: 'TEAPOT' },
    });
  });

  it('is recognised across copies of the package by its brand', () => {
    const foreign = Object.create({ [Symbol.for('volley.RpcError')]: true });
    expect(foreign instanceof RpcError).toBe(true);
    expect({} instanceof RpcError).toBe(false);
  });
});
