import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTokenFile } from './token-file.js';

/** The error `fn` throws; fails the test when it returns. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('readTokenFile', () => {
  let dir: string;
  const write = (content: string) => {
    const path = join(dir, 'tokens.json');
    writeFileSync(path, content);
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kv-tokens-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('maps each token to its subject and scopes', () => {
    const path = write(JSON.stringify({ '3f9c0a7be21d4c58': { subject: 'ci-bot', scopes: ['read', 'write'] } }));
    expect(readTokenFile(path)).toEqual(
      new Map([['3f9c0a7be21d4c58', { subject: 'ci-bot', scopes: ['read', 'write'] }]]),
    );
  });

  it('rejects a token shorter than 16 characters without printing it', () => {
    const error = thrown(() => readTokenFile(write(JSON.stringify({ 'short-secret': { subject: 'x', scopes: [] } }))));
    expect(error.message).toMatch(/malformed: a token must be at least 16 characters/);
    expect(error.message).not.toContain('short-secret');
  });

  it('rejects a grant without scopes, saying where, without printing its token', () => {
    const error = thrown(() => readTokenFile(write(JSON.stringify({ '3f9c0a7be21d4c58': { subject: 'ci-bot' } }))));
    expect(error.message).toMatch(/malformed at scopes/);
    expect(error.message).not.toContain('3f9c0a7be21d4c58');
  });

  it('rejects invalid JSON without quoting any of it, in the message or a cause', () => {
    const error = thrown(() => readTokenFile(write('{ "3f9c0a7be21d4c58": { "subject": "ci-bot", scopes: [] } }')));
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).not.toContain('3f9c0a7be21d4c58');
    expect(error.cause).toBeUndefined();
  });

  it('names the path when the file is missing', () => {
    expect(thrown(() => readTokenFile(join(dir, 'absent.json'))).message).toMatch(/absent\.json/);
  });
});
