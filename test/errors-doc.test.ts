/**
 * docs/errors.md must list exactly the codes of ERROR_CODES, each with the table's `notExecuted`
 * in its "Known not executed?" column, so the page callers rely on for retries cannot drift.
 */
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '@volley/wire';
import { describe, expect, it } from 'vitest';

const DOC_PATH = new URL('../docs/errors.md', import.meta.url);
const NOT_EXECUTED_HEADER = 'Known not executed?';

interface DocRow {
  code: string;
  notExecuted: string;
}

/** Splits `| a | b |` into trimmed cells; escaped pipes (`\|`) stay inside their cell. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** Rows of the table whose header starts with `Code` and has the not-executed column. */
function readCodeTable(markdown: string): DocRow[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex(
    (line) => line.startsWith('|') && cells(line)[0] === 'Code' && cells(line).includes(NOT_EXECUTED_HEADER),
  );
  if (start === -1) throw new Error(`docs/errors.md has no table with a "Code" and a "${NOT_EXECUTED_HEADER}" column`);
  const column = cells(lines[start] as string).indexOf(NOT_EXECUTED_HEADER);
  const rows: DocRow[] = [];
  // Skip the header and the |---| separator; the table ends at the first line not starting with '|'.
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const row = cells(line);
    const code = /^`([A-Z_]+)`$/.exec(row[0] ?? '')?.[1];
    if (code === undefined)
      throw new Error(`docs/errors.md: the first cell of "${line.slice(0, 40)}…" is not a \`CODE\``);
    rows.push({ code, notExecuted: (row[column] ?? '').toLowerCase() });
  }
  return rows;
}

const rows = readCodeTable(readFileSync(DOC_PATH, 'utf8'));

describe('docs/errors.md', () => {
  it('lists every code of ERROR_CODES exactly once, and no other', () => {
    expect(rows.map((row) => row.code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(Object.entries(ERROR_CODES))('gives %s the not-executed answer of the table', (code, entry) => {
    const row = rows.find((r) => r.code === code);
    expect(row?.notExecuted).toBe(entry.notExecuted ? 'yes' : 'no');
  });
});
