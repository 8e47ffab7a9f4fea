import type { ClientMethods } from './types.js';

/**
 * Builds the typed proxy: property access accumulates a dotted path, a call sends it. Proxies are
 * cached per path so `client.kv.get(...)` in a loop allocates nothing after the first time.
 */
export function createProxy(core: Pick<ClientMethods, 'call'>, methods: object): unknown {
  const cache = new Map<string, unknown>();
  const node = (path: string): unknown => {
    let proxy = cache.get(path);
    if (proxy === undefined) {
      proxy = new Proxy(noop, {
        get: (_target, property) =>
          typeof property === 'string' && property !== 'then' ? node(`${path}.${property}`) : undefined,
        apply: (_target, _this, args: unknown[]) => core.call(path, args[0], args[1] as never),
      });
      cache.set(path, proxy);
    }
    return proxy;
  };
  return new Proxy(methods, {
    get: (target, property, receiver) => {
      if (typeof property !== 'string' || property === 'then') return Reflect.get(target, property, receiver);
      if (Object.hasOwn(target, property)) return Reflect.get(target, property, receiver);
      return node(property);
    },
  });
}

function noop(): void {}
