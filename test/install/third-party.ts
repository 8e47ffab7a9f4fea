import { createHash } from 'node:crypto';
import {
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from './run-command.js';
import { REPO_ROOT } from './stage-packages.js';

/*
 * The third-party packages a fresh project's install needs, for a local registry with no uplink.
 * They come from the repository's own node_modules, at the versions package-lock.json names:
 * nothing is downloaded. `npm pack` (scripts ignored) makes each installed folder a tarball again,
 * and the tarballs go into the local registry's storage as its publish call would put them.
 */

/** Lockfile entry fields this module reads. */
interface LockEntry {
  name?: string;
  version?: string;
  link?: boolean;
  optional?: boolean;
  private?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** One installed third-party package: its lockfile location and folder. */
export interface ThirdPartyPackage {
  readonly name: string;
  readonly version: string;
  /** Its key in package-lock.json's `packages`, e.g. `node_modules/a/node_modules/b`. */
  readonly location: string;
}

/** A packed package, ready to publish. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** The tarball's path. */
  readonly tarball: string;
  readonly shasum: string;
  readonly integrity: string;
  /** The package.json inside the tarball. */
  readonly manifest: Record<string, unknown>;
}

/**
 * Every third-party package an install of the repository's `packages/*` and of `extraRoots`
 * (names resolved from the repository's root) can bring: the closure of dependencies, optional
 * dependencies and required peer dependencies, resolved as node does (nested copies first), at the
 * versions package-lock.json names. Optional packages absent from node_modules (another platform's
 * @esbuild/*, @msgpackr-extract/*) are left out: npm skips an optional package the registry does
 * not have. Throws when node_modules does not match the lockfile (run npm ci). An installed
 * folder holds what its tarball held plus what its install script wrote (esbuild's puts this
 * platform's binary in bin/esbuild): right for an install on this machine, which is the only use.
 */
export function thirdPartyClosure(extraRoots: readonly string[]): ThirdPartyPackage[] {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const entries = lock.packages;
  const workspaces = Object.keys(entries).filter((key) => /^packages\/[^/]+$/.test(key));
  const found = new Map<string, ThirdPartyPackage>();

  const visit = (from: string, deps: Iterable<[string, boolean]>): void => {
    for (const [name, optional] of deps) {
      const location = resolveLocation(entries, from, name);
      const entry = location === undefined ? undefined : entries[location];
      // A workspace (node_modules/@volley/x links to packages/x): published from the stage.
      if (entry?.link === true) continue;
      if (location === undefined || entry === undefined || !existsSync(join(REPO_ROOT, location, 'package.json'))) {
        if (optional || entry?.optional === true) continue;
        throw new Error(`${name}, needed by ${from || 'the install test'}, is not installed: run npm ci`);
      }
      if (found.has(location)) continue;
      const installed = JSON.parse(readFileSync(join(REPO_ROOT, location, 'package.json'), 'utf8')) as LockEntry;
      if (installed.name !== (entry.name ?? name) || installed.version !== entry.version)
        throw new Error(
          `${location} holds ${installed.name}@${installed.version}, package-lock.json names ${entry.version}: run npm ci`,
        );
      found.set(location, { name: installed.name as string, version: installed.version as string, location });
      visit(location, dependenciesOf(entry));
    }
  };
  for (const key of workspaces) {
    const entry = entries[key] as LockEntry;
    // Published packages only; a workspace's peers are what its users install beside it.
    if (entry.private !== true) visit(key, dependenciesOf(entry, { allPeers: true }));
  }
  visit(
    '',
    extraRoots.map((name) => [name, false]),
  );
  return [...found.values()].sort((a, b) => a.location.localeCompare(b.location));
}

/** [name, optional] for dependencies, optional dependencies and peers (optional peers only with allPeers). */
function dependenciesOf(entry: LockEntry, { allPeers = false } = {}): Array<[string, boolean]> {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => allPeers || entry.peerDependenciesMeta?.[name]?.optional !== true,
  );
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name): [string, boolean] => [name, false]),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name): [string, boolean] => [name, true]),
    ...peers.map((name): [string, boolean] => [name, entry.peerDependenciesMeta?.[name]?.optional === true]),
  ];
}

/** Where node finds `name` from the package at `from`: its own node_modules, then each parent's. */
function resolveLocation(entries: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const key = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (entries[key] !== undefined) return key;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/** Files and folders in the system temp dir that cache packed tarballs; one per closure. */
const CACHE_PREFIX = 'volley-install-tarballs-';
/** A cache no run has used for this long is removed. */
const CACHE_MAX_IDLE_MS = 24 * 3_600_000;

/**
 * The packages as tarballs. Packed once per set of packages (the cache key hashes every name,
 * version and lockfile location, so a lockfile change packs again) into the system temp dir,
 * shared by the runs on Node 20, 22 and 24 and by concurrent runs: a cache folder appears with one
 * rename, complete, or not at all.
 */
export async function packThirdParty(packages: readonly ThirdPartyPackage[]): Promise<PackedPackage[]> {
  const key = createHash('sha256')
    .update(JSON.stringify([process.platform, process.arch, packages]))
    .digest('hex')
    .slice(0, 16);
  const cache = join(tmpdir(), `${CACHE_PREFIX}${key}`);
  const cached = readCache(cache);
  if (cached !== undefined) {
    const now = new Date();
    utimesSync(cache, now, now);
    return cached;
  }
  pruneIdleCaches();

  const work = mkdtempSync(join(tmpdir(), `${CACHE_PREFIX}tmp-`));
  try {
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    // Outside the repository, with no user or global npm config and nothing of the caller's npm_*.
    const [userConfig, globalConfig] = [join(work, 'npmrc'), join(work, 'global-npmrc')];
    writeFileSync(userConfig, '');
    writeFileSync(globalConfig, '');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_OPTIONS'),
    );
    Object.assign(env, {
      npm_config_userconfig: userConfig,
      npm_config_globalconfig: globalConfig,
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_update_notifier: 'false',
    });
    // One npm process packs them all: a process per package would cost more than the packing.
    const run = await mustRun(
      'npm',
      [
        'pack',
        '--ignore-scripts',
        '--json',
        '--pack-destination',
        tarballs,
        ...packages.map(({ location }) => join(REPO_ROOT, location)),
      ],
      { cwd: work, env, timeoutMs: 300_000 },
    );
    const report = JSON.parse(run.stdout) as Array<{
      name: string;
      version: string;
      filename: string;
      shasum: string;
      integrity: string;
    }>;
    if (report.length !== packages.length)
      throw new Error(`npm pack packed ${report.length} of ${packages.length} packages:\n${run.stderr}`);
    const packed = report.map(({ name, version, filename, shasum, integrity }, index) => {
      const expected = packages[index] as ThirdPartyPackage;
      if (name !== expected.name || version !== expected.version)
        throw new Error(`npm pack reported ${name}@${version} for ${expected.location}`);
      const manifest = JSON.parse(readFileSync(join(REPO_ROOT, expected.location, 'package.json'), 'utf8'));
      return { name, version, tarball: filename, shasum, integrity, manifest };
    });
    writeFileSync(join(work, 'index.json'), JSON.stringify(packed));
    rmSync(join(work, 'npm-cache'), { recursive: true, force: true });
    try {
      renameSync(work, cache);
    } catch (error) {
      // Another run packed the same set first: use its copy.
      if (readCache(cache) === undefined) throw error;
    }
    const result = readCache(cache);
    if (result === undefined) throw new Error(`${cache} is incomplete after packing`);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function readCache(cache: string): PackedPackage[] | undefined {
  try {
    const index = JSON.parse(readFileSync(join(cache, 'index.json'), 'utf8')) as PackedPackage[];
    const packed = index.map((entry) => ({ ...entry, tarball: join(cache, 'tarballs', entry.tarball) }));
    return packed.every(({ tarball }) => existsSync(tarball)) ? packed : undefined;
  } catch {
    return undefined;
  }
}

function pruneIdleCaches(): void {
  const now = Date.now();
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(CACHE_PREFIX)) continue;
    const path = join(tmpdir(), name);
    try {
      if (now - statSync(path).mtimeMs > CACHE_MAX_IDLE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}

/**
 * Puts every tarball in the storage of the verdaccio at `url`, as its publish call would have:
 * `<storage>/<name>/package.json` (the package document, every version, `latest` on the highest
 * as on the npm registry) beside `<name without scope>-<version>.tgz`. Verdaccio reads its
 * storage on each request, so this works while it runs. It takes under 0.1 s; publishing each
 * tarball over verdaccio's publish call took 1.5 to 3 s on two busy cores (~1 s of CPU, most of
 * it verdaccio decoding the uploads), the longest step before the installs.
 */
export function seedRegistryStorage(storage: string, url: string, packed: readonly PackedPackage[]): void {
  const byName = new Map<string, PackedPackage[]>();
  for (const one of packed) byName.set(one.name, [...(byName.get(one.name) ?? []), one]);
  const now = new Date().toISOString();
  for (const [name, unsorted] of byName) {
    const versions = [...unsorted].sort((a, b) => compareVersions(a.version, b.version));
    const dir = join(storage, name);
    mkdirSync(dir, { recursive: true });
    const escaped = name.replace('/', '%2f');
    const document = {
      name,
      versions: {} as Record<string, unknown>,
      time: { modified: now, created: now } as Record<string, string>,
      users: {},
      'dist-tags': { latest: versions.at(-1)?.version },
      _uplinks: {},
      _distfiles: {},
      _attachments: {} as Record<string, { shasum: string; version: string }>,
      _rev: `${versions.length}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`,
      _id: name,
      readme: '',
    };
    for (const { version, tarball, shasum, integrity, manifest } of versions) {
      const file = `${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`;
      copyFileSync(tarball, join(dir, file), constants.COPYFILE_FICLONE);
      document.versions[version] = {
        ...manifest,
        ...normalizedBin(name, manifest),
        ...(hasInstallScript(manifest) && { hasInstallScript: true }),
        _id: `${name}@${version}`,
        dist: { shasum, integrity, tarball: `${url}${escaped}/-/${file}` },
      };
      document.time[version] = now;
      document._attachments[file] = { shasum, version };
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify(document, null, 2));
  }
}

/** `bin` as the npm registry serves it: an object, even when package.json names one file. */
function normalizedBin(name: string, manifest: Record<string, unknown>): { bin?: Record<string, string> } {
  const { bin } = manifest;
  if (typeof bin !== 'string') return {};
  return { bin: { [name.slice(name.lastIndexOf('/') + 1)]: bin } };
}

function hasInstallScript(manifest: Record<string, unknown>): boolean {
  const scripts = (manifest.scripts ?? {}) as Record<string, unknown>;
  return ['preinstall', 'install', 'postinstall'].some((script) => scripts[script] !== undefined);
}

/** Orders x.y.z[-pre] versions: numbers numerically, a prerelease before its release. */
function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = a.split(/-(.*)/s);
  const [coreB = '', preB] = b.split(/-(.*)/s);
  const numbersA = coreA.split('.').map(Number);
  const numbersB = coreB.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (numbersA[i] ?? 0) - (numbersB[i] ?? 0);
    if (diff !== 0) return diff;
  }
  if (preA === undefined || preB === undefined) return (preA === undefined ? 1 : 0) - (preB === undefined ? 1 : 0);
  return preA.localeCompare(preB, 'en', { numeric: true });
}
