import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FALLBACK_CLOCK_TICKS_PER_SECOND } from './constants.js';

/**
 * CPU time and memory of another process, read from Linux /proc without its cooperation, so a
 * peer server (or a client child) needs no bench-specific hook and the reading costs it nothing.
 */

/** utime + stime of a process, in clock ticks (all threads: /proc/<pid>/stat of the leader is the whole thread group). */
export function parseProcStatCpuTicks(statLine: string): number {
  // Field 2 (comm) is in parentheses and may itself hold spaces or ')': parse after the last ')'.
  const afterComm = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // man proc(5): utime is field 14 and stime field 15; afterComm starts at field 3 (state).
  const utime = Number(afterComm[14 - 3]);
  const stime = Number(afterComm[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`unexpected /proc stat line: ${statLine.slice(0, 120)}`);
  return utime + stime;
}

/** VmRSS from a /proc/<pid>/status text, in bytes (the kernel writes it in kB, meaning KiB). */
export function parseVmRssBytes(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  if (match?.[1] === undefined) throw new Error('no VmRSS line in /proc status');
  return Number(match[1]) * 1024;
}

/** Clock ticks per second for /proc CPU figures (`getconf CLK_TCK`), read once. */
export function readClockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : FALLBACK_CLOCK_TICKS_PER_SECOND;
  } catch {
    return FALLBACK_CLOCK_TICKS_PER_SECOND;
  }
}

/** CPU time (user + system, all threads) a live process has used so far, in microseconds. */
export function readCpuMicros(pid: number, ticksPerSecond: number): number {
  return (parseProcStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1_000_000) / ticksPerSecond;
}

/** Resident set size of a live process, in bytes. */
export function readRssBytes(pid: number): number {
  return parseVmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
}
