import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AnyRouter, describeRouter } from '@volley/router';
import type { ServiceManifest } from '@volley/wire';
import { tsImport } from 'tsx/esm/api';
import { selectRouter } from './select-router.js';

const TYPESCRIPT_FILE = /\.(?:[cm]?ts|tsx)$/;

/**
 * The manifest of a router module, as the server would answer `$describe` without a service name:
 * imports `path` (TypeScript through tsx, JavaScript with `import()`), picks the router (see
 * {@link selectRouter}) and describes it. Importing runs the module's top-level code.
 * @example
 * const manifest = await loadManifestFromModule('services/app/src/app-router.ts', 'createAppRouter');
 */
export async function loadManifestFromModule(path: string, exportName?: string): Promise<ServiceManifest> {
  return describeRouter(await loadRouterFromModule(path, exportName));
}

/**
 * The router a module exports, picked as {@link selectRouter} does: what `volley gen` describes
 * and `volley serve` serves, so one module works for both. Importing runs the module's top-level
 * code; a failed import throws an Error naming the path.
 * @example
 * const router = await loadRouterFromModule('services/app/src/app-router.ts');
 */
export async function loadRouterFromModule(path: string, exportName?: string): Promise<AnyRouter> {
  const url = pathToFileURL(resolve(path)).href;
  let namespace: Record<string, unknown>;
  try {
    namespace = TYPESCRIPT_FILE.test(path) ? await tsImport(url, import.meta.url) : await import(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not import ${path}: ${reason}`, { cause: error });
  }
  return selectRouter(namespace, path, exportName);
}
