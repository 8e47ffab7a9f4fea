import { compileRouter } from '@volley/router/internal';
import { describe, expect, it } from 'vitest';
import { benchRouter } from './bench-router.js';

describe('bench router', () => {
  const compiled = compileRouter(benchRouter);

  it.each(['add', 'addOnce', 'echo'])(
    'validates both the input and the output of %s, as the figures assume',
    (name) => {
      const entry = compiled.get(name);
      expect(entry?.validateInput).toBeTypeOf('function');
      expect(entry?.validateOutput).toBeTypeOf('function');
    },
  );

  it('declares add idempotent and addOnce not, so only addOnce uses the UDP reply cache', () => {
    expect(compiled.get('add')?.idempotent).toBe(true);
    expect(compiled.get('addOnce')?.idempotent).toBe(false);
  });
});
