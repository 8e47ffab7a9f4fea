import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDENS, REGENERATE_COMMAND } from '../test/goldens.js';
import { generateClientSource } from './generate.js';
import { loadManifestFromModule } from './load-module.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe.each(GOLDENS)('$file', (golden) => {
  it('is what the generator makes from its router module, byte for byte', async () => {
    const manifest = await loadManifestFromModule(join(ROOT, golden.module), golden.exportName);
    const generated = await generateClientSource(manifest, { source: golden.module });
    const committed = await readFile(join(ROOT, golden.file), 'utf8');
    expect(generated, `${golden.file} is stale: run \`${REGENERATE_COMMAND}\` and review the diff`).toBe(committed);
  });
});
