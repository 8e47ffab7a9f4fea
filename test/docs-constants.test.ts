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

/** The client's keepalive defaults are literals in keepalive.ts; read them from the source. */
function keepaliveDefault(option: 'intervalMs' | 'timeoutMs'): number {
  const source = readFileSync(join(root, 'packages/client/src/keepalive.ts'), 'utf8');
  const match = new RegExp(`options\\.${option} \\?\\? ([\\d_]+)`).exec(source);
  if (match?.[1] === undefined) throw new Error(`packages/client/src/keepalive.ts: no default for ${option} found`);
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
  return Object.fromEntries(Object.entries(module).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
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
  s: ['time', 1000],
  min: ['time', 60_000],
  h: ['time', 3_600_000],
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
  const token = /(?<![\p{L}\d.-])(?:(\d+) \+ 1 per (\d+) bytes?|(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:\.\d+)?))(?:\s*(ms|s|min|h|B|bytes?|KiB|MiB|GiB|×)(?![\p{L}\d]))?/gu;
  for (const match of text.matchAll(token)) {
    if (match[1] !== undefined && match[2] !== undefined) {
      values.push({ text: `${match[1]} + 1 per ${match[2]} bytes`, kind: 'count', value: Number(match[1]) });
      values.push({ text: `1 per ${match[2]} bytes`, kind: 'count', value: Number(match[2]) });
      continue;
    }
    const [kind, scale] = match[4] === undefined ? (['count', 1] as [Kind, number]) : (UNITS[match[4]] as [Kind, number]);
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
  if (kind === 'time') return value % 60_000 === 0 ? `${value / 60_000} min` : value % 1000 === 0 ? `${value / 1000} s` : `${value} ms`;
  if (kind === 'size') return value % 1024 ** 2 === 0 ? `${value / 1024 ** 2} MiB` : value % 1024 === 0 ? `${value / 1024} KiB` : `${value} bytes`;
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
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) continue;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h?.[1] !== undefined) heading = h[1];
    if (line.startsWith('|') && /^\|[\s|:-]+\|$/.test((lines[i + 1] ?? '').trim()) && (lines[i - 1] ?? '').trim() === '') {
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
        const constants = named.length > 0 ? named : option !== undefined && option in OPTION_CONSTANTS ? (OPTION_CONSTANTS[option] as string[]) : [];
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
  const values = parseValues(row.text);
  if (values.length === 0 && row.constants.length === 0) return [];
  if (row.constants.length === 0) return [`${where} states ${values.map((v) => `"${v.text}"`).join(', ')} but names no constant: name it in backticks, or map the row in test/docs-constants.test.ts`];
  const expected = row.constants.map((name) => `${describeValue(name)} (${name})`).join(', ');
  if (values.length !== row.constants.length) return [`${where} states ${values.map((v) => `"${v.text}"`).join(', ') || 'no number'}; the code says ${expected}`];
  const problems: string[] = [];
  row.constants.forEach((name, i) => {
    const stated = values[i] as Value;
    if (stated.kind !== kindOf(name) || stated.value !== CONSTANTS[name]) problems.push(`${where} says "${stated.text}"; ${name} is ${describeValue(name)}`);
  });
  return problems;
}

describe('defaults in the docs match the constants', () => {
  it('parses the units the docs use', () => {
    expect(parseValues('**4 MiB**, 30 s, 5 min, 10 s, 1024, 100 000, 48 MiB, 3×').map((v) => [v.kind, v.value])).toEqual([
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
  });

  it('finds the tables it is meant to check', () => {
    const rows = rowsToCheck('docs/security.md');
    const checkedConstants = new Set(rows.flatMap((row) => row.constants));
    for (const name of ['DEFAULT_MAX_FRAME_BYTES', 'DEFAULT_PARTIAL_FRAME_TIMEOUT_MS', 'DEFAULT_IDLE_TIMEOUT_MS', 'DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS', 'WRITE_HIGH_WATER_BYTES', 'DEFAULT_MAX_DECODE_DEPTH', 'DEFAULT_BASE_OBJECTS', 'UNVALIDATED_REPLY_FACTOR', 'KEEPALIVE_INTERVAL_MS']) {
      expect(checkedConstants, `docs/security.md: no checked row names ${name}`).toContain(name);
    }
    expect(rowsToCheck('packages/server/README.md').length).toBeGreaterThanOrEqual(6);
  });

  it('fails a wrong number, naming the row', () => {
    const row: CheckedRow = { file: 'docs/security.md', row: 'Largest frame', text: '4 MiB ; 16 MiB', constants: ['DEFAULT_MAX_FRAME_BYTES'] };
    expect(problemsOf(row)[0]).toMatch(/Largest frame/);
    expect(problemsOf({ ...row, text: '16 MiB' })).toEqual(['docs/security.md, row "Largest frame" says "16 MiB"; DEFAULT_MAX_FRAME_BYTES is 4 MiB']);
    expect(problemsOf({ ...row, text: '4 s' })[0]).toMatch(/says "4 s"/);
    expect(problemsOf({ ...row, text: '4 MiB', constants: ['DEFAULT_NO_SUCH_THING'] })[0]).toMatch(/DEFAULT_NO_SUCH_THING, which no constants.ts exports/);
    expect(problemsOf({ ...row, constants: [] })[0]).toMatch(/names no constant/);
    expect(problemsOf({ ...row, text: '4 MiB' })).toEqual([]);
  });

  it.each(checkedFiles())('%s states the defaults the code uses', (file) => {
    expect(rowsToCheck(file).flatMap(problemsOf)).toEqual([]);
  });
});
