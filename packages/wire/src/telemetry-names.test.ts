import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes.js';
import { isClientSpanError, isServerSpanError, toRpcNames, toTransportAttributes } from './telemetry-names.js';

describe('toRpcNames', () => {
  it.each([
    ['kv.get', 'kv', 'get', 'kv/get'],
    ['admin.kv.get', 'admin.kv', 'get', 'admin.kv/get'],
    ['add', undefined, 'add', 'add'],
    ['$health', undefined, '$health', '$health'],
  ])('splits %s at its last dot', (procedure, service, method, spanName) => {
    expect(toRpcNames(procedure)).toEqual({ service, method, spanName });
  });

  it('keeps a name with an empty part whole rather than invent an empty service or method', () => {
    expect(toRpcNames('.get')).toEqual({ service: undefined, method: '.get', spanName: '.get' });
    expect(toRpcNames('kv.')).toEqual({ service: undefined, method: 'kv.', spanName: 'kv.' });
  });
});

describe('span status by code', () => {
  it('marks a server span ERROR only for failures that are the server’s, never the caller’s', () => {
    const serverErrors = Object.keys(ERROR_CODES).filter(isServerSpanError).sort();
    expect(serverErrors).toEqual(['CLOSED', 'DEADLINE_EXCEEDED', 'INTERNAL', 'RESOURCE_EXHAUSTED', 'UNAVAILABLE']);
    expect(isServerSpanError('OK')).toBe(false);
  });

  it('marks a client span ERROR for every code but OK', () => {
    expect(Object.keys(ERROR_CODES).every(isClientSpanError)).toBe(true);
    expect(isClientSpanError('OK')).toBe(false);
  });
});

describe('toTransportAttributes', () => {
  it('reports TLS as TCP with the TLS protocol, and memory as in-process', () => {
    expect(toTransportAttributes('tls')).toEqual({ 'network.transport': 'tcp', 'tls.protocol.name': 'tls' });
    expect(toTransportAttributes('memory')).toEqual({ 'network.transport': 'inproc' });
    expect(toTransportAttributes('udp')).toEqual({ 'network.transport': 'udp' });
  });
});
