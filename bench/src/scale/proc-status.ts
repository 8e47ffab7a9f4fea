import { readdirSync, readFileSync } from 'node:fs';

/**
 * What Linux reports about a process through /proc, read from outside the process so the figure
 * does not depend on the child's cooperation: resident set size (`VmRSS` in /proc/<pid>/status,
 * proc(5)), open descriptors (entries of /proc/<pid>/fd) and the open-files limit.
 */

/** `VmRSS` of a /proc/<pid>/status text, in bytes (the kernel prints kB, meaning KiB). */
export function parseVmRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error('no VmRSS line in /proc status (is the process a zombie?)');
  return Number(match[1]) * 1024;
}

/** The soft `Max open files` limit of a /proc/<pid>/limits text; `Infinity` for "unlimited". */
export function parseOpenFilesSoftLimit(limits: string): number {
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  if (match?.[1] === undefined) throw new Error('no "Max open files" line in /proc limits');
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** Resident set size of a process now, in bytes. */
export function readRssBytes(pid: number): number {
  return parseVmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** Descriptors a process has open now (sockets included). */
export function countOpenFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** This process's soft open-files limit; children forked from it inherit it. */
export function readOpenFilesLimit(): number {
  return parseOpenFilesSoftLimit(readFileSync('/proc/self/limits', 'utf8'));
}
