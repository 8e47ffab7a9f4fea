import { describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.js';
import { parseBenchOptions, parseDuration, parseRate } from './options.js';

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

  it('names the flag it parses in its error', () => {
    expect(() => parseDuration('soon', 'warmup')).toThrow(/^--warmup wants/);
  });
});

describe('parseRate', () => {
  it.each([
    ['200', 200],
    ['0.5', 0.5],
    ['.25', 0.25],
    ['20000', 20_000],
  ])('reads %s as %d calls/s', (text, rate) => {
    expect(parseRate(text)).toBe(rate);
  });

  it.each(['0', '0.0', '-5', 'abc', '', '1e3', 'Infinity', '10/s'])('rejects %j with one line', (text) => {
    expect(() => parseRate(text)).toThrow(
      /^--rate must be a positive number of calls per second \(200, 0\.5\), got "[^\n]*"$/,
    );
  });
});

describe('parseBenchOptions', () => {
  it('defaults to a closed loop of 16 workers on one connection for 10 s, without warm-up', () => {
    expect(parseBenchOptions({}, TARGET)).toEqual({
      target: 'udp://127.0.0.1:4000',
      procedure: 'echo.add',
      input: undefined,
      mode: { kind: 'closed', concurrency: 16 },
      connections: 1,
      stop: { kind: 'duration', durationMs: 10_000 },
      warmupMs: 0,
      json: false,
    });
  });

  it('reads --calls, --concurrency, --connections, --json and the input argument', () => {
    const options = parseBenchOptions({ calls: '300', concurrency: '8', connections: '2', json: true }, [
      ...TARGET,
      '{"a":1}',
    ]);
    expect(options).toMatchObject({
      input: '{"a":1}',
      mode: { kind: 'closed', concurrency: 8 },
      connections: 2,
      stop: { kind: 'calls', calls: 300 },
      json: true,
    });
  });

  it('makes --rate an open loop capped at 256 calls in flight per connection', () => {
    expect(parseBenchOptions({ rate: '2000' }, TARGET).mode).toEqual({ kind: 'open', rate: 2000, maxInFlight: 256 });
    expect(parseBenchOptions({ rate: '2000', connections: '4' }, TARGET).mode).toEqual({
      kind: 'open',
      rate: 2000,
      maxInFlight: 1024,
    });
  });

  it('reads --concurrency under --rate as the cap, which may be below --connections (calls go round-robin by number)', () => {
    expect(parseBenchOptions({ rate: '0.5', concurrency: '2', connections: '3' }, TARGET)).toMatchObject({
      mode: { kind: 'open', rate: 0.5, maxInFlight: 2 },
      connections: 3,
    });
  });

  it('reads --warmup with --rate and --calls: a timed warm-up, then exactly N calls', () => {
    expect(parseBenchOptions({ rate: '500', calls: '200', warmup: '2s' }, TARGET)).toMatchObject({
      mode: { kind: 'open', rate: 500 },
      stop: { kind: 'calls', calls: 200 },
      warmupMs: 2_000,
    });
    expect(parseBenchOptions({ warmup: '500ms' }, TARGET)).toMatchObject({ mode: { kind: 'closed' }, warmupMs: 500 });
  });

  it.each([
    [{ concurrency: '0' }, /--concurrency must be a positive integer/],
    [{ concurrency: '-3' }, /--concurrency must be a positive integer/],
    [{ concurrency: '2.5' }, /--concurrency must be a positive integer/],
    [{ calls: '10', duration: '1' }, /not both/],
    [{ calls: '0' }, /--calls must be a positive integer/],
    [{ duration: 'soon' }, /--duration wants/],
    [{ concurrency: '2', connections: '3' }, /cannot exceed --concurrency/],
    [{ rate: '0' }, /--rate must be a positive number/],
    [{ rate: 'fast' }, /--rate must be a positive number/],
    [{ rate: '100', concurrency: '0' }, /--concurrency must be a positive integer/],
    [{ warmup: '0' }, /--warmup wants/],
    [{ warmup: 'soon', rate: '100' }, /--warmup wants/],
  ])('rejects %j with a one-line usage error', (values, message) => {
    let error: unknown;
    try {
      parseBenchOptions(values, TARGET);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    expect((error as UsageError).message).not.toContain('\n');
  });

  it('needs a procedure', () => {
    expect(() => parseBenchOptions({}, ['udp://127.0.0.1:4000'])).toThrow(/Needs <url> and <procedure>/);
  });

  it('rejects a fourth argument (unquoted JSON)', () => {
    expect(() => parseBenchOptions({}, [...TARGET, '{"a":', '1}'])).toThrow(/Unexpected argument/);
  });
});
