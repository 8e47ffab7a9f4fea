import type { ProcedureExample, ProcedureManifest } from '@volley/wire';
import { toPropertyKey } from './naming.js';

/**
 * Text from a manifest is untrusted: inside a block comment, a star followed by a slash would end
 * the comment and let the rest run as code. `*\/` keeps the text readable (and JSON valid: `\/`
 * is a JSON escape).
 */
export function toCommentText(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}

/** One line for a `//` comment: line breaks (which would end the comment) become spaces. */
export function toLineCommentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/** A JSDoc block at `indent` from lines of text (each may hold line breaks); empty when no lines. */
export function renderJsDoc(lines: readonly string[], indent: string): string {
  const body = lines
    .flatMap((line) => toCommentText(line).split(/\r\n|[\r\n\u2028\u2029]/))
    .map((line) => line.trimEnd());
  if (body.length === 0) return '';
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return [
    `${indent}/**`,
    ...body.map((line) => (line === '' ? `${indent} *` : `${indent} * ${line}`)),
    `${indent} */`,
    '',
  ].join('\n');
}

/**
 * The JSDoc lines for a procedure: its description, `@deprecated` with the reason, and one
 * `@example` per example, written as the call a reader would type.
 */
export function procedureDocLines(procedure: ProcedureManifest): string[] {
  const tags: string[] = [];
  if (procedure.deprecated !== undefined)
    tags.push(procedure.deprecated === true ? '@deprecated' : `@deprecated ${procedure.deprecated}`);
  for (const example of procedure.examples ?? []) tags.push(...exampleLines(procedure.name, example));
  if (procedure.description === undefined) return tags;
  return tags.length === 0 ? [procedure.description] : [procedure.description, '', ...tags];
}

function exampleLines(name: string, example: ProcedureExample): string[] {
  const lines = ['@example'];
  if (example.title !== undefined) lines.push(`// ${toLineCommentText(example.title)}`);
  const path = name
    .split('.')
    .map((segment) => (toPropertyKey(segment) === segment ? `.${segment}` : `[${toPropertyKey(segment)}]`))
    .join('');
  lines.push(`await client${path}(${example.input === undefined ? '' : toInlineJson(example.input)});`);
  if (example.output !== undefined) lines.push(`// → ${toInlineJson(example.output)}`);
  return lines;
}

/**
 * JSON on one line with a space after `{`, `[`, `:` and `,` (`{ "a": 1, "b": [ 2 ] }`). Values
 * JSON lacks are written as they arrive over the wire, so a stub from a module and one from a
 * live server agree: a bigint as a number (or a string when it is not exact as one), bytes as an
 * array of numbers, a date as its ISO string.
 */
export function toInlineJson(value: unknown): string {
  const json = JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, converted: unknown) {
      const raw = this[key];
      if (typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? Number(raw) : raw.toString();
      if (raw instanceof Uint8Array) return Array.from(raw);
      return converted;
    },
    1,
  );
  // Pretty-printed JSON has line breaks only between tokens (never inside a string): join them.
  return (json ?? 'undefined').replace(/\n\s*/g, ' ');
}
