import { describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.js';
import { parseBenchOptions, parseDuration } from './options.js';

const TARGET = ['udp://127.0.0.1:4000', 'echo.add'];

describe('parseDuration', () => {
  it.each([
    ['10', 10_000],
    ['2.5', 2_500],
    ['.5', 500],
    ['500ms', 500],
    ['10s', 10_000],
    ['1m', 60_000],
    ['1.5m', 90_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['0', '0s', '-1', 'abc', '10h', '1e3', '', '5 m'])('rejects %j as a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

describe('parseBenchOptions', () => {
  it('defaults to 16 workers on one connection for 10 s', () => {
    expect(parseBenchOptions({}, TARGET)).toEqual({
      target: 'udp://127.0.0.1:4000',
      procedure: 'echo.add',
      input: undefined,
      concurrency: 16,
      connections: 1,
      stop: { kind: 'duration', durationMs: 10_000 },
      json: false,
    });
  });

  it('reads --calls, --concurrency, --connections, --json and the input argument', () => {
    const options = parseBenchOptions({ calls: '300', concurrency: '8', connections: '2', json: true }, [...TARGET, '{"a":1}']);
    expect(options).toMatchObject({ input: '{"a":1}', concurrency: 8, connections: 2, stop: { kind: 'calls', calls: 300 }, json: true });
  });

  it.each([
    [{ concurrency: '0' }, /--concurrency must be a positive integer/],
    [{ concurrency: '-3' }, /--concurrency must be a positive integer/],
    [{ concurrency: '2.5' }, /--concurrency must be a positive integer/],
    [{ calls: '10', duration: '1' }, /not both/],
    [{ calls: '0' }, /--calls must be a positive integer/],
    [{ duration: 'soon' }, /--duration wants/],
    [{ concurrency: '2', connections: '3' }, /cannot exceed --concurrency/],
  ])('rejects %j', (values, message) => {
    expect(() => parseBenchOptions(values, TARGET)).toThrow(message);
  });

  it('needs a procedure', () => {
    expect(() => parseBenchOptions({}, ['udp://127.0.0.1:4000'])).toThrow(/Needs <url> and <procedure>/);
  });

  it('rejects a fourth argument (unquoted JSON)', () => {
    expect(() => parseBenchOptions({}, [...TARGET, '{"a":', '1}'])).toThrow(/Unexpected argument/);
  });
});
