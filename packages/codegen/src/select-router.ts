import type { AnyRouter } from '@volley/router';

/**
 * Finds the router among a module's exports:
 * 1. `exportName` when given;
 * 2. else the default export, when it is a router or a factory;
 * 3. else the only export that is a router;
 * 4. else the only factory whose name ends in `Router` (`createAppRouter`).
 *
 * A factory is a function without required arguments that returns (a promise of) a router. Other
 * functions are never called: running arbitrary exports to see what they return could start
 * servers or touch files. Errors name the module and list its exports.
 */
export async function selectRouter(
  namespace: Readonly<Record<string, unknown>>,
  path: string,
  exportName?: string,
): Promise<AnyRouter> {
  if (exportName !== undefined) {
    if (!Object.hasOwn(namespace, exportName))
      throw new Error(`${path} has no export "${exportName}"; ${listExports(namespace)}`);
    return toRouter(namespace[exportName], `${path}: export "${exportName}"`);
  }
  const entries = Object.entries(namespace);
  const fallback = namespace.default;
  if (isRouter(fallback) || isFactory(fallback)) return toRouter(fallback, `${path}: the default export`);
  const routers = entries.filter(([, value]) => isRouter(value));
  if (routers.length === 1) return routers[0]![1] as AnyRouter;
  if (routers.length > 1) {
    throw new Error(
      `${path} exports several routers (${routers.map(([name]) => name).join(', ')}); name the one to use`,
    );
  }
  const factories = entries.filter(([name, value]) => isFactory(value) && /Router$/.test(name));
  if (factories.length === 1) return toRouter(factories[0]![1], `${path}: export "${factories[0]![0]}"`);
  const hint = 'name an export that is a router or a function without arguments returning one';
  throw new Error(`${path} has no single router export: ${hint}; ${listExports(namespace)}`);
}

async function toRouter(value: unknown, label: string): Promise<AnyRouter> {
  if (isRouter(value)) return value;
  if (typeof value !== 'function') throw new Error(`${label} is ${describeValue(value)}, not a router`);
  if (value.length > 0) throw new Error(`${label} takes ${value.length} argument(s); a router factory must take none`);
  const result: unknown = await value();
  if (!isRouter(result)) throw new Error(`${label} returned ${describeValue(result)}, not a router`);
  return result;
}

function isRouter(value: unknown): value is AnyRouter {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { _kind?: unknown; record?: unknown };
  return candidate._kind === 'router' && typeof candidate.record === 'object' && candidate.record !== null;
}

function isFactory(value: unknown): value is () => unknown {
  return typeof value === 'function' && value.length === 0;
}

function describeValue(value: unknown): string {
  if (isRouter(value)) return 'a router';
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function listExports(namespace: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(namespace).sort();
  if (names.length === 0) return 'it has no exports';
  return `its exports: ${names.map((name) => `${name} (${describeValue(namespace[name])})`).join(', ')}`;
}
