import { describe, expect, it } from 'vitest';
import { countOpenFds, parseOpenFilesSoftLimit, parseVmRssBytes, readRssBytes } from './proc-status.js';

const STATUS = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
VmPeak:\t 1234568 kB
VmHWM:\t  120000 kB
VmRSS:\t  101232 kB
RssAnon:\t   60000 kB
Threads:\t11
`;

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                65536                files
Max locked memory         8388608              8388608              bytes
`;

describe('parseVmRssBytes', () => {
  it('reads VmRSS, not VmHWM or RssAnon, and converts kB (KiB) to bytes', () => {
    expect(parseVmRssBytes(STATUS)).toBe(101_232 * 1024);
  });

  it('throws when there is no VmRSS line, as for a zombie process', () => {
    expect(() => parseVmRssBytes('Name:\tnode\nState:\tZ (zombie)\n')).toThrow(/VmRSS/);
  });
});

describe('parseOpenFilesSoftLimit', () => {
  it('reads the soft limit, not the hard one', () => {
    expect(parseOpenFilesSoftLimit(LIMITS)).toBe(20_000);
  });

  it('reads "unlimited" as Infinity', () => {
    expect(parseOpenFilesSoftLimit('Max open files            unlimited            unlimited            files\n')).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('reading /proc for a live process', () => {
  it('reports this process RSS in whole KiB, of the order process.memoryUsage() gives', () => {
    const rss = readRssBytes(process.pid);
    expect(rss % 1024).toBe(0);
    expect(rss).toBeGreaterThan(process.memoryUsage().rss / 2);
    expect(rss).toBeLessThan(process.memoryUsage().rss * 2);
  });

  it('counts at least stdin, stdout and stderr among open descriptors', () => {
    expect(countOpenFds(process.pid)).toBeGreaterThanOrEqual(3);
  });
});
