/**
 * The defaults and limits tables in docs/security.md and the READMEs must state the values the code
 * uses: every number in a default must equal, unit included, the constant its row names (or, for
 * rows that name an option or a threat instead, the constant mapped to it below), so that changing
 * a constant without its docs, or a doc without the constant, fails here (as errors-doc.test.ts
 * does for error codes).
 *
 * Which tables: every table with a "Default" column (its default cells are checked), and the
 * "At a glance" table of docs/security.md (its bolded numbers are checked). In docs/security.md
 * only bolded numbers count ("**4 MiB** (`DEFAULT_MAX_FRAME_BYTES`; 16 MiB before issue 13)"
 * checks 4 MiB); in READMEs, whose tables bold nothing, every number of the default cell does.
 *
 * And prose, in those files and in docs/protocol.md and docs/errors.md: wherever a known constant
 * is named right after a number ("defaults to **4 MiB** (4 194 304 bytes, `DEFAULT_MAX_FRAME_BYTES`"),
 * that number must be the constant's value.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as clientConstants from '../packages/client/src/constants.js';
import * as serverConstants from '../packages/server/src/constants.js';
import * as transportConstants from '../packages/transport/src/constants.js';
import { WRITE_HIGH_WATER_BYTES } from '../packages/transport/src/stream/framed-socket.js';
import * as wireConstants from '../packages/wire/src/constants.js';
import { DEFAULT_SIGNATURE_SKEW_MS } from '../packages/wire/src/signing.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The client's keepalive defaults are literals in stream/keepalive.ts; read them from the source. */
function keepaliveDefault(option: 'intervalMs' | 'timeoutMs'): number {
  const source = readFileSync(join(root, 'packages/client/src/stream/keepalive.ts'), 'utf8');
  const match = new RegExp(`options\\.${option} \\?\\? ([\\d_]+)`).exec(source);
  if (match?.[1] === undefined)
    throw new Error(`packages/client/src/stream/keepalive.ts: no default for ${option} found`);
  return Number(match[1].replace(/_/g, ''));
}

/** Every constant a doc may name, by name. */
const CONSTANTS: Record<string, number> = {
  ...numbersOf(wireConstants),
  ...numbersOf(transportConstants),
  ...numbersOf(serverConstants),
  ...numbersOf(clientConstants),
  WRITE_HIGH_WATER_BYTES,
  DEFAULT_SIGNATURE_SKEW_MS,
  KEEPALIVE_INTERVAL_MS: keepaliveDefault('intervalMs'),
  KEEPALIVE_TIMEOUT_MS: keepaliveDefault('timeoutMs'),
};

function numbersOf(module: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(module).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}

/**
 * Rows that name an option rather than a constant (README tables: the option's first backticked
 * name, without a `tcp.` / `tls.` prefix), in the order their numbers appear.
 */
const OPTION_CONSTANTS: Record<string, string[]> = {
  maxInFlight: ['DEFAULT_MAX_IN_FLIGHT'],
  maxCallsPerConnection: ['DEFAULT_MAX_CALLS_PER_CONNECTION'],
  partialFrameTimeoutMs: ['DEFAULT_PARTIAL_FRAME_TIMEOUT_MS'],
  idleTimeoutMs: ['DEFAULT_IDLE_TIMEOUT_MS'],
  handshakeTimeoutMs: ['DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS'],
  maxFrameBytes: ['DEFAULT_MAX_FRAME_BYTES'],
  decodeLimits: ['DEFAULT_MAX_DECODE_DEPTH', 'DEFAULT_BASE_OBJECTS', 'DEFAULT_BYTES_PER_OBJECT'],
  maxConnections: [],
  replyCache: ['DEFAULT_REPLY_CACHE_MAX_BYTES', 'DEFAULT_REPLY_CACHE_MAX_ENTRIES'],
  closeGraceMs: ['DEFAULT_CLOSE_GRACE_MS'],
};

/** Rows of security.md's "At a glance" table (by the start of their first cell), in the order of their bolded numbers. */
const GLANCE_CONSTANTS: [RegExp, string[]][] = [
  [/^Reflection and amplification/, ['UNVALIDATED_REPLY_FACTOR']],
  [/^Slow senders/, ['DEFAULT_PARTIAL_FRAME_TIMEOUT_MS']],
  [/^Idle connections/, ['DEFAULT_IDLE_TIMEOUT_MS']],
  [/^Hung or vanished servers/, ['KEEPALIVE_INTERVAL_MS', 'KEEPALIVE_TIMEOUT_MS']],
  [/^Peers that do not read/, ['WRITE_HIGH_WATER_BYTES']],
  [/^One connection taking every call slot/, ['DEFAULT_MAX_CALLS_PER_CONNECTION']],
  [/^More work than the server can run/, ['DEFAULT_MAX_IN_FLIGHT']],
  [/^Decoding bombs/, ['DEFAULT_BASE_OBJECTS', 'DEFAULT_BYTES_PER_OBJECT', 'DEFAULT_MAX_DECODE_DEPTH']],
  [/^Tampering, forged and replayed/, ['DEFAULT_SIGNATURE_SKEW_MS']],
  [/^Attack traffic flooding the logs/, ['LOG_SUMMARY_WINDOW_MS']],
  [/^TLS handshakes/, ['DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS']],
];

type Kind = 'time' | 'size' | 'count';

interface Value {
  text: string;
  kind: Kind;
  /** Milliseconds, bytes or a plain count. */
  value: number;
}

const UNITS: Record<string, [Kind, number]> = {
  ms: ['time', 1],
  millisecond: ['time', 1],
  milliseconds: ['time', 1],
  s: ['time', 1000],
  second: ['time', 1000],
  seconds: ['time', 1000],
  min: ['time', 60_000],
  minute: ['time', 60_000],
  minutes: ['time', 60_000],
  h: ['time', 3_600_000],
  hour: ['time', 3_600_000],
  hours: ['time', 3_600_000],
  B: ['size', 1],
  byte: ['size', 1],
  bytes: ['size', 1],
  KiB: ['size', 1024],
  MiB: ['size', 1024 ** 2],
  GiB: ['size', 1024 ** 3],
  '×': ['count', 1],
};

/**
 * The numbers of a doc's text with their units: "4 MiB", "30 s", "5 min", "1024", "100 000",
 * "3×", and "1024 + 1 per 8 bytes" (the object cap: two counts, 1024 and 8).
 */
function parseValues(text: string): Value[] {
  const values: Value[] = [];
  const token =
    /(?<![\p{L}\d.-])(?:(\d+) \+ 1 per (\d+) bytes?|(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:\.\d+)?))(?:\s*(ms|milliseconds?|s|seconds?|minutes?|min|h|hours?|B|bytes?|KiB|MiB|GiB|×)(?![\p{L}\d]))?/gu;
  for (const match of text.matchAll(token)) {
    if (match[1] !== undefined && match[2] !== undefined) {
      values.push({ text: `${match[1]} + 1 per ${match[2]} bytes`, kind: 'count', value: Number(match[1]) });
      values.push({ text: `1 per ${match[2]} bytes`, kind: 'count', value: Number(match[2]) });
      continue;
    }
    const [kind, scale] =
      match[4] === undefined ? (['count', 1] as [Kind, number]) : (UNITS[match[4]] as [Kind, number]);
    values.push({ text: match[0], kind, value: Number((match[3] as string).replace(/[ \u00a0\u202f]/g, '')) * scale });
  }
  return values;
}

function kindOf(constant: string): Kind {
  if (constant.endsWith('_MS')) return 'time';
  if (constant.endsWith('_BYTES')) return 'size';
  return 'count';
}

function describeValue(constant: string): string {
  const value = CONSTANTS[constant] as number;
  const kind = kindOf(constant);
  if (kind === 'time')
    return value % 60_000 === 0 ? `${value / 60_000} min` : value % 1000 === 0 ? `${value / 1000} s` : `${value} ms`;
  if (kind === 'size')
    return value % 1024 ** 2 === 0
      ? `${value / 1024 ** 2} MiB`
      : value % 1024 === 0
        ? `${value / 1024} KiB`
        : `${value} bytes`;
  return String(value);
}

/** Splits `| a | b |` into trimmed cells; escaped pipes (`\|`) stay inside their cell. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

function bolded(text: string): string {
  return [...text.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]).join(' ; ');
}

/** Backticked names that look like constants (`DEFAULT_MAX_FRAME_BYTES`). */
function constantsNamed(text: string): string[] {
  return [...text.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((m) => m[1] as string);
}

interface CheckedRow {
  file: string;
  row: string;
  /** The text whose numbers are checked. */
  text: string;
  /** The numbers already parsed from it, when the text alone would not give them. */
  values?: Value[];
  constants: string[];
}

/** One table: its header cells and its rows' cells, with the heading it sits under. */
interface Table {
  heading: string;
  header: string[];
  rows: string[][];
}

function tablesOf(markdown: string): Table[] {
  const tables: Table[] = [];
  const lines = markdown.split('\n');
  let heading = '';
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trimStart().startsWith('```')) inFence = !inFence;
    if (inFence) continue;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h?.[1] !== undefined) heading = h[1];
    if (
      line.startsWith('|') &&
      /^\|[\s|:-]+\|$/.test((lines[i + 1] ?? '').trim()) &&
      (lines[i - 1] ?? '').trim() === ''
    ) {
      const rows: string[][] = [];
      let j = i + 2;
      for (; j < lines.length && (lines[j] as string).startsWith('|'); j++) rows.push(cells(lines[j] as string));
      tables.push({ heading, header: cells(line), rows });
      i = j - 1;
    }
  }
  return tables;
}

function rowsToCheck(file: string): CheckedRow[] {
  const markdown = readFileSync(join(root, file), 'utf8');
  const onlyBold = file === 'docs/security.md';
  const checked: CheckedRow[] = [];
  for (const table of tablesOf(markdown)) {
    const defaultColumn = table.header.findIndex((h) => h.toLowerCase() === 'default');
    if (defaultColumn !== -1) {
      for (const row of table.rows) {
        const cell = row[defaultColumn] ?? '';
        const named = constantsNamed(cell);
        const option = /`(?:tcp\.|tls\.|udp\.)?([a-zA-Z]+)/.exec(row[0] ?? '')?.[1];
        const constants =
          named.length > 0
            ? named
            : option !== undefined && option in OPTION_CONSTANTS
              ? (OPTION_CONSTANTS[option] as string[])
              : [];
        checked.push({ file, row: row[0] ?? '', text: onlyBold ? bolded(cell) : cell, constants });
      }
    }
    if (file === 'docs/security.md' && table.heading === 'At a glance') {
      for (const row of table.rows) {
        const first = row[0] ?? '';
        const constants = GLANCE_CONSTANTS.find(([pattern]) => pattern.test(first))?.[1] ?? [];
        checked.push({ file, row: first, text: bolded(row.slice(1).join(' | ')), constants });
      }
    }
  }
  return checked;
}

function checkedFiles(): string[] {
  const files = ['README.md', 'docs/security.md'];
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(root, group))) {
      if (existsSync(join(root, group, name, 'README.md'))) files.push(`${group}/${name}/README.md`);
    }
  }
  return files;
}

/** What is wrong with one row, or nothing. */
function problemsOf(row: CheckedRow): string[] {
  const where = `${row.file}, row "${row.row.slice(0, 60)}"`;
  const unknown = row.constants.filter((name) => !(name in CONSTANTS));
  if (unknown.length > 0) return [`${where} names ${unknown.join(', ')}, which no constants.ts exports`];
  const values = row.values ?? parseValues(row.text);
  if (values.length === 0 && row.constants.length === 0) return [];
  if (row.constants.length === 0)
    return [
      `${where} states ${values.map((v) => `"${v.text}"`).join(', ')} but names no constant: name it in backticks, or map the row in test/docs-constants.test.ts`,
    ];
  const expected = row.constants.map((name) => `${describeValue(name)} (${name})`).join(', ');
  if (values.length !== row.constants.length)
    return [`${where} states ${values.map((v) => `"${v.text}"`).join(', ') || 'no number'}; the code says ${expected}`];
  const problems: string[] = [];
  row.constants.forEach((name, i) => {
    const stated = values[i] as Value;
    if (stated.kind !== kindOf(name) || stated.value !== CONSTANTS[name])
      problems.push(`${where} says "${stated.text}"; ${name} is ${describeValue(name)}`);
  });
  return problems;
}

/**
 * Prose: a constant named in backticks (`DEFAULT_MAX_FRAME_BYTES`, or several separated by commas)
 * right after the number it holds ("**4 MiB** (`DEFAULT_MAX_FRAME_BYTES`)", "[**50 ms**, **2 s**]
 * (`MIN_RTO_MS`, `MAX_RTO_MS`)"). The numbers are the last ones before the names, bolded ones if
 * there are any, else plain ones, looking back no further than the previous constant, table cell
 * or line start. Names with no number before them ("the limit, `DEFAULT_MAX_FRAME_BYTES`") are
 * not checked here.
 */
/** Constants prose names after a formula rather than after their value. */
const PROSE_UNCHECKED = new Set(['BACKOFF_FACTOR', 'RTO_JITTER']);

function proseRowsOf(file: string): CheckedRow[] {
  const rows: CheckedRow[] = [];
  let inFence = false;
  // Logical lines: a paragraph or list item joined into one, each table row on its own.
  const logical: string[] = [];
  let open = false;
  for (const raw of readFileSync(join(root, file), 'utf8').split('\n')) {
    if (raw.trimStart().startsWith('```')) inFence = !inFence;
    if (inFence || raw.trimStart().startsWith('```')) {
      open = false;
      continue;
    }
    const startsBlock = raw.trim() === '' || raw.startsWith('|') || /^\s*([-*+]|\d+\.|#{1,6})\s/.test(raw);
    if (open && !startsBlock) logical[logical.length - 1] += ` ${raw.trim()}`;
    else logical.push(raw);
    open = raw.trim() !== '' && !raw.startsWith('|');
  }
  for (const line of logical) {
    let windowStart = 0;
    const group = /`([A-Z][A-Z0-9_]{3,})`(?:,\s*`([A-Z][A-Z0-9_]{3,})`)*/g;
    for (const match of line.matchAll(group)) {
      const names = [...match[0].matchAll(/`([A-Z][A-Z0-9_]{3,})`/g)].map((m) => m[1] as string);
      const start = match.index ?? 0;
      if (!names.every((name) => name in CONSTANTS)) {
        windowStart = start + match[0].length;
        continue;
      }
      const before = line.slice(windowStart, start);
      const window = before.slice(before.lastIndexOf('|') + 1);
      const bold = parseValues(bolded(window));
      const values = bold.length > 0 ? bold : parseValues(window.replace(/`[^`]*`/g, ''));
      if (values.length >= names.length && !names.some((name) => PROSE_UNCHECKED.has(name))) {
        const stated = values.slice(-names.length);
        rows.push({
          file,
          row: `${window.trim().slice(-50)}${match[0]}`,
          text: stated.map((v) => v.text).join(' ; '),
          values: stated,
          constants: names,
        });
      }
      windowStart = start + match[0].length;
    }
  }
  return rows;
}

function proseFiles(): string[] {
  return [...checkedFiles(), 'docs/protocol.md', 'docs/errors.md'];
}

describe('defaults in the docs match the constants', () => {
  it('parses the units the docs use', () => {
    expect(
      parseValues('**4 MiB**, 30 s, 5 min, 10 s, 1024, 100 000, 48 MiB, 3×').map((v) => [v.kind, v.value]),
    ).toEqual([
      ['size', 4 * 1024 ** 2],
      ['time', 30_000],
      ['time', 300_000],
      ['time', 10_000],
      ['count', 1024],
      ['count', 100_000],
      ['size', 48 * 1024 ** 2],
      ['count', 3],
    ]);
    expect(parseValues('depth 128; 1024 + 1 per 8 bytes objects').map((v) => v.value)).toEqual([128, 1024, 8]);
    expect(parseValues('a SHA-256 of the credentials, HMAC-SHA256')).toEqual([]);
    expect(parseValues('every 5 minutes, 2 seconds, 10 min').map((v) => v.value)).toEqual([300_000, 2000, 600_000]);
  });

  it('finds the tables it is meant to check', () => {
    const rows = rowsToCheck('docs/security.md');
    const checkedConstants = new Set(rows.flatMap((row) => row.constants));
    for (const name of [
      'DEFAULT_MAX_FRAME_BYTES',
      'DEFAULT_PARTIAL_FRAME_TIMEOUT_MS',
      'DEFAULT_IDLE_TIMEOUT_MS',
      'DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS',
      'WRITE_HIGH_WATER_BYTES',
      'DEFAULT_MAX_DECODE_DEPTH',
      'DEFAULT_BASE_OBJECTS',
      'UNVALIDATED_REPLY_FACTOR',
      'KEEPALIVE_INTERVAL_MS',
    ]) {
      expect(checkedConstants, `docs/security.md: no checked row names ${name}`).toContain(name);
    }
    expect(rowsToCheck('packages/server/README.md').length).toBeGreaterThanOrEqual(6);
  });

  it('fails a wrong number, naming the row', () => {
    const row: CheckedRow = {
      file: 'docs/security.md',
      row: 'Largest frame',
      text: '4 MiB ; 16 MiB',
      constants: ['DEFAULT_MAX_FRAME_BYTES'],
    };
    expect(problemsOf(row)[0]).toMatch(/Largest frame/);
    expect(problemsOf({ ...row, text: '16 MiB' })).toEqual([
      'docs/security.md, row "Largest frame" says "16 MiB"; DEFAULT_MAX_FRAME_BYTES is 4 MiB',
    ]);
    expect(problemsOf({ ...row, text: '4 s' })[0]).toMatch(/says "4 s"/);
    expect(problemsOf({ ...row, text: '4 MiB', constants: ['DEFAULT_NO_SUCH_THING'] })[0]).toMatch(
      /DEFAULT_NO_SUCH_THING, which no constants.ts exports/,
    );
    expect(problemsOf({ ...row, constants: [] })[0]).toMatch(/names no constant/);
    expect(problemsOf({ ...row, text: '4 MiB' })).toEqual([]);
  });

  it.each(checkedFiles())('%s states the defaults the code uses', (file) => {
    expect(rowsToCheck(file).flatMap(problemsOf)).toEqual([]);
  });

  it.each(proseFiles())('%s gives each constant it names after a number that number', (file) => {
    expect(proseRowsOf(file).flatMap(problemsOf)).toEqual([]);
  });

  it('checks the prose of protocol.md and security.md', () => {
    const named = (file: string) => new Set(proseRowsOf(file).flatMap((row) => row.constants));
    for (const name of [
      'DEFAULT_MAX_FRAME_BYTES',
      'DEFAULT_MAX_DATAGRAM_BYTES',
      'MIN_RTO_MS',
      'MAX_RTO_MS',
      'INITIAL_RTO_MS',
      'MAX_RETRANSMITS',
      'DEFAULT_MAX_OUTSTANDING',
      'DEFAULT_SIGNATURE_SKEW_MS',
    ]) {
      expect(named('docs/protocol.md'), `docs/protocol.md: ${name} not checked`).toContain(name);
    }
    for (const name of [
      'DEFAULT_REPLY_CACHE_MAX_BYTES',
      'DEFAULT_REPLY_CACHE_MAX_ENTRIES',
      'DEFAULT_MAX_IN_FLIGHT',
      'LOG_SUMMARY_WINDOW_MS',
    ]) {
      expect(named('docs/security.md'), `docs/security.md: ${name} not checked`).toContain(name);
    }
  });
});
