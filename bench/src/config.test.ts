import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';

const DEFAULT_JSON = '/tmp/latest.json';

describe('bench config', () => {
  it('has the documented defaults', () => {
    expect(readConfig([], {}, DEFAULT_JSON)).toEqual({
      rounds: 3,
      seconds: 2,
      warmupSeconds: 0.5,
      outstanding: [1, 64],
      systems: undefined,
      scenarios: undefined,
      jsonPath: DEFAULT_JSON,
      cpuProfDir: undefined,
      scale: true,
      help: false,
    });
  });

  it('reads flags', () => {
    const config = readConfig(
      [
        '--rounds',
        '5',
        '--seconds',
        '1',
        '--systems',
        'volley-tcp, raw-udp',
        '--scenarios=add',
        '--no-scale',
        '--json=',
      ],
      {},
      DEFAULT_JSON,
    );
    expect(config).toMatchObject({
      rounds: 5,
      seconds: 1,
      systems: ['volley-tcp', 'raw-udp'],
      scenarios: ['add'],
      scale: false,
      jsonPath: '',
    });
  });

  it('keeps the BENCH_* variables as aliases, flags winning', () => {
    const env = { BENCH_REPEATS: '7', BENCH_SECONDS: '4', BENCH_FILTER: 'echo', BENCH_CPU_PROF: '/tmp/prof' };
    expect(readConfig(['--seconds', '1'], env, DEFAULT_JSON)).toMatchObject({
      rounds: 7,
      seconds: 1,
      scenarios: ['echo'],
      cpuProfDir: '/tmp/prof',
    });
  });

  it('rejects a rounds count that is not a positive number, and unknown flags', () => {
    expect(() => readConfig(['--rounds', '0'], {}, DEFAULT_JSON)).toThrow(/--rounds/);
    expect(() => readConfig(['--round', '2'], {}, DEFAULT_JSON)).toThrow();
  });
});
