#!/usr/bin/env node
/**
 * Enforces the layering of docs/architecture.md: imports point down only, no import cycles.
 *
 *   wire → transport → router → server / client → codegen → cli,  services/ and test/ on top
 *
 * Checks every non-test source file of packages/* and services/*: which @volley packages it may
 * import (type-only imports are allowed where the table says so), no deep imports into another
 * package's files, no node I/O in wire, no cycles among a package's own modules, and that the
 * server's and client's datagram/ and stream/ folders are reached only from their composition
 * roots (docs/architecture.md §5), and that no @volley package imports OpenTelemetry beyond its API.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sourceFiles } from './source-files.mjs';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** package → { runtime: allowed @volley imports, types: allowed as `import type` only } */
const RULES = {
  '@volley/wire': { runtime: [], types: [] },
  '@volley/transport': { runtime: ['@volley/wire'], types: [] },
  '@volley/router': { runtime: ['@volley/wire'], types: [] },
  '@volley/server': { runtime: ['@volley/wire', '@volley/transport', '@volley/router'], types: [] },
  '@volley/client': { runtime: ['@volley/wire', '@volley/transport'], types: ['@volley/router'] },
  '@volley/codegen': { runtime: ['@volley/wire', '@volley/client', '@volley/router'], types: [] },
  volley: {
    runtime: ['@volley/wire', '@volley/transport', '@volley/client', '@volley/codegen', '@volley/server'],
    types: ['@volley/router'],
  },
};
/**
 * Folders that hold one delivery mode's machinery, and the files outside them that may import
 * them: the composition roots that choose a policy or path, and the files that declare a package's
 * public option types. Generic code reaches a mode only through CallPolicy/CallPath, and one mode's
 * folder never imports the other's.
 */
const MODE_FOLDERS = {
  'packages/server/src/datagram': [
    'packages/server/src/server.ts',
    'packages/server/src/server-options.ts',
    'packages/server/src/index.ts',
  ],
  'packages/server/src/stream': ['packages/server/src/server.ts'],
  'packages/client/src/datagram': [
    'packages/client/src/create-call-path.ts',
    'packages/client/src/endpoint-core.ts',
    'packages/client/src/client-options.ts',
    'packages/client/src/client-core-options.ts',
    'packages/client/src/index.ts',
  ],
  'packages/client/src/stream': [
    'packages/client/src/create-call-path.ts',
    'packages/client/src/endpoint-core.ts',
    'packages/client/src/client-options.ts',
    'packages/client/src/client-core-options.ts',
    'packages/client/src/index.ts',
  ],
};
const NO_IO = ['node:net', 'node:dgram', 'node:fs', 'node:tls', 'node:http', 'node:child_process', 'node:dns'];

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
/**
 * `import('…')` with a literal specifier, anywhere in a line: a lazy import couples like a static
 * one, so it obeys the same rules and counts for cycles. `typeof import('…')` is a type reference.
 * A specifier that is not a literal (`import(url)`) names no package and cannot be checked.
 */
const DYNAMIC_IMPORT = /(\btypeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [
    ...[...text.matchAll(IMPORT)].map((m) => ({ typeOnly: Boolean(m[2]), spec: m[3] })),
    ...[...text.matchAll(DYNAMIC_IMPORT)].map((m) => ({ typeOnly: Boolean(m[1]), spec: m[2] })),
  ];
}

const problems = [];
const workspaces = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(ROOT, group))
    .map((name) => join(ROOT, group, name))
    .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false })),
);

for (const dir of workspaces) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const rule = RULES[name];
  const files = sourceFiles(join(dir, 'src'));
  const graph = new Map();
  for (const file of files) {
    const where = relative(ROOT, file);
    const local = [];
    for (const { typeOnly, spec } of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        local.push(target);
        const folder = Object.keys(MODE_FOLDERS).find((mode) => relative(ROOT, target).startsWith(`${mode}/`));
        if (folder && !where.startsWith(`${folder}/`) && !MODE_FOLDERS[folder].includes(where)) {
          problems.push(
            `${where}: imports ${relative(ROOT, target)}; ${folder}/ is reached only from ${MODE_FOLDERS[folder].join(', ')}`,
          );
        }
        continue;
      }
      const volley = spec.match(/^(@volley\/[^/]+|volley)(\/.*)?$/);
      if (volley) {
        const [, pkg, deep] = volley;
        // `./internal` is sibling glue (docs/architecture.md §5): @volley packages may use it, services may not.
        const allowedDeep = deep === '/package.json' || (deep === '/internal' && where.startsWith('packages/'));
        if (deep && !allowedDeep) problems.push(`${where}: deep import "${spec}"; use the package entry point`);
        if (rule && pkg !== name && !rule.runtime.includes(pkg) && !(typeOnly && rule.types.includes(pkg))) {
          problems.push(`${where}: ${name} must not import ${typeOnly ? 'type from ' : ''}${pkg}`);
        }
      }
      // Issue 17: the library packages hand metrics to OpenTelemetry by structure (MetricProducer);
      // the SDK and its exporters are the application's (the CLI, services) to choose.
      if (rule && name !== 'volley' && spec.startsWith('@opentelemetry/') && spec !== '@opentelemetry/api')
        problems.push(
          `${where}: ${name} must not import ${spec}; only @opentelemetry/api (the SDK is the application's)`,
        );
      if (name === '@volley/wire' && NO_IO.includes(spec))
        problems.push(`${where}: wire must not do I/O (imports ${spec})`);
    }
    graph.set(file, local);
  }
  // Cycle detection among the package's own modules (type-only edges included: they still couple).
  const state = new Map();
  const visit = (file, stack) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'active') {
      const cycle = stack
        .slice(stack.indexOf(file))
        .concat(file)
        .map((f) => relative(ROOT, f));
      problems.push(`import cycle: ${cycle.join(' → ')}`);
      return;
    }
    state.set(file, 'active');
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...stack, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
}

if (problems.length > 0) {
  console.error(`Layering check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Layering check passed (${workspaces.length} workspaces).`);
