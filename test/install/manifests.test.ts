import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './stage-packages.js';

/** The publish-ready shape of every package's manifest (issue 14), checked without a registry. */

interface Manifest {
  name: string;
  version: string;
  license: string;
  type: string;
  sideEffects: boolean;
  engines: { node: string };
  repository: { type: string; url: string; directory: string };
  exports: Record<string, unknown>;
  files: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const folders = readdirSync(join(REPO_ROOT, 'packages'));
const manifests = folders.map((folder) => ({
  folder,
  manifest: JSON.parse(readFileSync(join(REPO_ROOT, 'packages', folder, 'package.json'), 'utf8')) as Manifest,
}));
const rootVersion = manifests[0]?.manifest.version;

describe.each(manifests)('packages/$folder/package.json', ({ folder, manifest }) => {
  it('shares one version, MIT, ESM, Node ≥ 20.19 and a repository pointing at its folder', () => {
    expect(manifest.version).toBe(rootVersion);
    expect(manifest.license).toBe('MIT');
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.engines.node).toBe('>=20.19');
    expect(manifest.repository.directory).toBe(`packages/${folder}`);
  });

  it('exports the source condition first, then declarations and JavaScript from dist', () => {
    expect(manifest.exports['./package.json']).toBe('./package.json');
    const root = manifest.exports['.'] as Record<string, string>;
    expect(Object.entries(root)).toEqual([
      ['@volley/source', './src/index.ts'],
      ['types', './dist/index.d.ts'],
      ['default', './dist/index.js'],
    ]);
  });

  it('ships dist, README and LICENSE only (and bin for the CLI)', () => {
    expect(manifest.files).toEqual(
      manifest.name === 'volley' ? ['dist', 'bin', 'README.md', 'LICENSE'] : ['dist', 'README.md', 'LICENSE'],
    );
    expect(readFileSync(join(REPO_ROOT, 'packages', folder, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'),
    );
  });

  it('asks for its siblings by a semver range and for zod as a peer', () => {
    const all = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const [name, range] of Object.entries(all))
      if (name.startsWith('@volley/')) expect(range, name).toBe(`^${rootVersion}`);
    expect(manifest.dependencies?.zod).toBeUndefined();
  });

  it('takes nothing from OpenTelemetry but its API, which is a no-op until the user installs an SDK', () => {
    const all = { ...manifest.dependencies, ...manifest.peerDependencies };
    const otel = Object.keys(all)
      .filter((name) => name.startsWith('@opentelemetry/'))
      .sort();
    const traced = manifest.name === '@volley/server' || manifest.name === '@volley/client';
    // The CLI is an application: `volley serve --metrics` runs the SDK and its Prometheus exporter.
    const cli = ['@opentelemetry/api', '@opentelemetry/exporter-prometheus', '@opentelemetry/sdk-metrics'];
    expect(otel).toEqual(traced ? ['@opentelemetry/api'] : manifest.name === 'volley' ? cli : []);
    if (traced || manifest.name === 'volley') expect(manifest.dependencies?.['@opentelemetry/api']).toBe('^1.9.0');
  });
});
