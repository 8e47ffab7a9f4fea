import { describe, expect, it } from 'vitest';
import { parseProcStatCpuTicks, parseVmRssBytes, readCpuMicros, readRssBytes } from './proc-stats.js';

// A real /proc/<pid>/stat line (node), utime 1520 and stime 231 ticks (fields 14 and 15).
const STAT_LINE =
  '18741 (node) S 18700 18741 18700 34816 18741 4194304 27013 0 0 0 1520 231 0 0 20 0 11 0 4530117 1184894976 19733 18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';

describe('/proc parsing', () => {
  it('adds utime and stime from a stat line', () => {
    expect(parseProcStatCpuTicks(STAT_LINE)).toBe(1751);
  });

  it('finds the fields after a command name holding spaces and parentheses', () => {
    expect(parseProcStatCpuTicks(STAT_LINE.replace('(node)', '(my (odd) name)'))).toBe(1751);
  });

  it('rejects a line without the CPU fields', () => {
    expect(() => parseProcStatCpuTicks('1 (x) S 0')).toThrow(/unexpected/);
  });

  it('reads VmRSS in kB as bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1234 kB\nVmRSS:\t   78932 kB\nRssAnon:\t 50000 kB\n';
    expect(parseVmRssBytes(status)).toBe(78932 * 1024);
  });

  it('reads this very process: some CPU used, and a resident size', () => {
    expect(readCpuMicros(process.pid, 100)).toBeGreaterThan(0);
    expect(readRssBytes(process.pid)).toBeGreaterThan(0);
  });
});
