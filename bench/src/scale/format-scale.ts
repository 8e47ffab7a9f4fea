import type { IdleConnectionsResult, PayloadSizeResult, ReplyCacheResult, ScaleResults } from './scale-results.js';

/** Issue 6's target for server memory per idle connection: 8 KB, read as 8 000 B (the stricter reading). */
export const IDLE_CONNECTION_TARGET_BYTES = 8_000;

const SYSTEM_LABELS = { raw: 'raw node:net', volley: 'Volley' } as const;

/** The scale results as Markdown: three tables and a line under each saying how it was measured. */
export function formatScaleMarkdown(results: ScaleResults): string {
  const sections: string[] = [`Node ${results.node}, ${results.cpus} CPUs${results.quick ? ', quick mode' : ''}.`];
  if (results.idleConnections.length > 0) sections.push(formatIdleConnections(results.idleConnections));
  if (results.replyCache !== null) sections.push(formatReplyCache(results.replyCache));
  if (results.payloadSizes.length > 0) sections.push(formatPayloadSizes(results.payloadSizes));
  if (results.failures.length > 0)
    sections.push(
      [
        '**Failed:**',
        ...results.failures.map(({ measurement, message }) => `- ${measurement}: ${firstLine(message)}`),
      ].join('\n'),
    );
  return sections.join('\n\n');
}

function formatIdleConnections(rows: readonly IdleConnectionsResult[]): string {
  const table = markdownTable(
    ['server', 'connections', 'RSS before', 'RSS after', 'RSS / connection', 'JS heap / connection', 'set-up'],
    rows.map((row) => [
      SYSTEM_LABELS[row.system],
      formatCount(row.connections),
      formatMiB(row.before.rssBytes),
      formatMiB(row.after.rssBytes),
      `${formatCount(perConnection(row, 'rssBytes'))} B`,
      `${formatCount(perConnection(row, 'heapUsedBytes'))} B`,
      `${(row.setupMs / 1000).toFixed(1)} s`,
    ]),
  );
  const notes = [
    'Server child RSS (VmRSS) and V8 heap after forced GC, before and after opening the connections from client children; each connection made one call first.',
  ];
  const volley = rows.find((row) => row.system === 'volley');
  const raw = rows.find((row) => row.system === 'raw');
  if (volley !== undefined) {
    const bytes = perConnection(volley, 'rssBytes');
    const verdict = bytes <= IDLE_CONNECTION_TARGET_BYTES ? 'met' : 'missed';
    const overRaw =
      raw === undefined ? '' : `, ${formatCount(bytes - perConnection(raw, 'rssBytes'))} B above the raw floor`;
    notes.push(
      `Issue 6 target ≤ ${formatCount(IDLE_CONNECTION_TARGET_BYTES)} B per idle connection: ${verdict} (${formatCount(bytes)} B${overRaw}).`,
    );
  }
  const short = rows.filter((row) => row.serverFdsOpened < row.connections);
  for (const row of short)
    notes.push(
      `Warning: the ${SYSTEM_LABELS[row.system]} server gained only ${row.serverFdsOpened} descriptors for ${row.connections} connections.`,
    );
  return ['#### Idle TCP connections', table, notes.join(' ')].join('\n\n');
}

function formatReplyCache(result: ReplyCacheResult): string {
  const rssDelta = result.after.rssBytes - result.before.rssBytes;
  const heapDelta = result.after.heapUsedBytes - result.before.heapUsedBytes;
  const table = markdownTable(
    [
      'clients',
      'answered',
      'cache entries',
      'evictions',
      'cache bytes (own count)',
      'per entry',
      'RSS delta',
      'RSS / client',
      'JS heap / client',
    ],
    [
      [
        formatCount(result.clients),
        formatCount(result.answered),
        formatCount(result.cacheEntries),
        formatCount(result.cacheEvictions),
        formatMiB(result.cacheBytes),
        `${formatCount(result.cacheBytes / Math.max(1, result.cacheEntries))} B`,
        formatMiB(rssDelta),
        `${formatCount(rssDelta / Math.max(1, result.clients))} B`,
        `${formatCount(heapDelta / Math.max(1, result.clients))} B`,
      ],
    ],
  );
  const errors = Object.entries(result.errors).map(([code, count]) => `${count} ${code}`);
  const note =
    `One non-idempotent UDP call (\`addOnce\`) from each of ${formatCount(result.clients)} distinct 8-byte client ids, 256 in flight, ` +
    `${(result.elapsedMs / 1000).toFixed(1)} s, ${result.resends} resent${errors.length > 0 ? `, errors: ${errors.join(', ')}` : ''}; ` +
    'cache figures from `server.stats`, memory of the server child after forced GC.';
  return ['#### UDP reply cache', table, note].join('\n\n');
}

function formatPayloadSizes(rows: readonly PayloadSizeResult[]): string {
  const table = markdownTable(
    ['payload', 'outstanding', 'raw calls/s', 'Volley calls/s', 'ratio', 'raw MB/s', 'Volley MB/s'],
    rows.map(({ sizeBytes, outstanding, rawCallsPerSecond: raw, volleyCallsPerSecond: volley }) => [
      formatSize(sizeBytes),
      String(outstanding),
      raw === null ? 'failed' : formatCount(raw),
      volley === null ? 'failed' : formatCount(volley),
      raw === null || volley === null ? '–' : `${(volley / raw).toFixed(2)}×`,
      raw === null ? '–' : ((raw * sizeBytes) / 1e6).toFixed(1),
      volley === null ? '–' : ((volley * sizeBytes) / 1e6).toFixed(1),
    ]),
  );
  const failures = rows.flatMap((row) => row.failures.map((failure) => `- ${formatSize(row.sizeBytes)} ${failure}`));
  const seconds = (rows[0]?.durationMs ?? 0) / 1000;
  const note = `Echo of an ASCII string over one TCP connection, closed loop, ${seconds} s per size per system; MB/s is payload bytes each way (10^6 B/s); ratio = Volley ÷ raw.`;
  return [
    '#### Echo calls/s by payload size (TCP)',
    table,
    note,
    ...(failures.length > 0 ? [failures.join('\n')] : []),
  ].join('\n\n');
}

function perConnection(row: IdleConnectionsResult, field: 'rssBytes' | 'heapUsedBytes'): number {
  return (row.after[field] - row.before[field]) / Math.max(1, row.connections);
}

/** `64 B`, `16 KiB`, `1 MiB`: payload sizes are powers of two or small. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** Left-aligns the first column, right-aligns the numbers. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
