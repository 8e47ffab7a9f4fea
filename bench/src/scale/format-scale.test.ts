import { describe, expect, it } from 'vitest';
import { formatScaleMarkdown, formatSize, markdownTable } from './format-scale.js';
import type { IdleConnectionsResult, ScaleResults } from './scale-results.js';

const MiB = 1024 * 1024;

function idle(system: 'raw' | 'volley', rssGrowth: number, heapGrowth: number): IdleConnectionsResult {
  return {
    system,
    connections: 10_000,
    clientProcesses: 3,
    serverFdsOpened: 10_000,
    setupMs: 3_000,
    before: { rssBytes: 100 * MiB, heapUsedBytes: 10 * MiB, arrayBuffersBytes: 0 },
    after: { rssBytes: 100 * MiB + rssGrowth, heapUsedBytes: 10 * MiB + heapGrowth, arrayBuffersBytes: 0 },
  };
}

const RESULTS: ScaleResults = {
  node: 'v20.0.0',
  cpus: 2,
  quick: true,
  idleConnections: [idle('raw', 40_000_000, 16_000_000), idle('volley', 72_000_000, 50_000_000)],
  replyCache: {
    clients: 100_000,
    answered: 100_000,
    resends: 0,
    errors: {},
    cacheEntries: 100_000,
    cacheBytes: 16_800_000,
    cacheEvictions: 0,
    elapsedMs: 3_000,
    before: { rssBytes: 100 * MiB, heapUsedBytes: 10 * MiB, arrayBuffersBytes: 0 },
    after: { rssBytes: 100 * MiB + 42_800_000, heapUsedBytes: 10 * MiB + 30_000_000, arrayBuffersBytes: 0 },
  },
  payloadSizes: [
    {
      sizeBytes: 64,
      outstanding: 16,
      durationMs: 1_000,
      rawCallsPerSecond: 100_000,
      volleyCallsPerSecond: 60_000,
      failures: [],
    },
    {
      sizeBytes: MiB,
      outstanding: 4,
      durationMs: 1_000,
      rawCallsPerSecond: 200,
      volleyCallsPerSecond: null,
      failures: ['volley: no reply within its deadline'],
    },
  ],
  failures: [],
};

describe('formatScaleMarkdown', () => {
  const markdown = formatScaleMarkdown(RESULTS);

  it('divides the RSS and heap growth by the number of connections', () => {
    expect(markdown).toMatch(/\| raw node:net \|\s+10,000 \|.*\|\s+4,000 B \|\s+1,600 B \|/);
    expect(markdown).toMatch(/\| Volley\s+\|\s+10,000 \|.*\|\s+7,200 B \|\s+5,000 B \|/);
  });

  it('states whether Volley meets the 8 KB target, and its distance from the raw floor', () => {
    expect(markdown).toContain('met (7,200 B, 3,200 B above the raw floor)');
    const over = formatScaleMarkdown({ ...RESULTS, idleConnections: [idle('volley', 90_000_000, 0)] });
    expect(over).toContain('missed (9,000 B)');
  });

  it('shows the reply cache per entry by its own count and per client by RSS', () => {
    expect(markdown).toMatch(/\|\s+168 B \|\s+40\.8 MiB \|\s+428 B \|\s+300 B \|/);
  });

  it('gives calls/s, ratio and payload MB/s per size, and marks a failed run instead of a number', () => {
    expect(markdown).toMatch(/\| 64 B\s+\|\s+16 \|\s+100,000 \|\s+60,000 \|\s+0\.60× \|\s+6\.4 \|\s+3\.8 \|/);
    expect(markdown).toMatch(/\| 1 MiB\s+\|\s+4 \|\s+200 \|\s+failed \|\s+– \|\s+209\.7 \|\s+– \|/);
    expect(markdown).toContain('- 1 MiB volley: no reply within its deadline');
  });

  it('lists failed measurements by their first line', () => {
    const failed = formatScaleMarkdown({
      ...RESULTS,
      failures: [{ measurement: 'reply cache', message: 'Error: boom\n    at x' }],
    });
    expect(failed).toContain('- reply cache: Error: boom');
    expect(failed).not.toContain('at x');
  });
});

describe('formatSize', () => {
  it('names the payload sizes of the sweep in binary units', () => {
    expect([64, 1024, 16 * 1024, 256 * 1024, MiB].map(formatSize)).toEqual([
      '64 B',
      '1 KiB',
      '16 KiB',
      '256 KiB',
      '1 MiB',
    ]);
  });
});

describe('markdownTable', () => {
  it('pads columns to a common width, the first left-aligned and the others right-aligned', () => {
    expect(
      markdownTable(
        ['name', 'n'],
        [
          ['a', '10'],
          ['bbbbb', '2'],
        ],
      ),
    ).toBe(['| name  |  n |', '|-------|---:|', '| a     | 10 |', '| bbbbb |  2 |'].join('\n'));
  });
});
