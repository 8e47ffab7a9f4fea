import type { AnyRouter } from '@volley/router';
import type { ClientOptions } from './client-options.js';
import { parseEndpoint } from './endpoint.js';
import { createEndpointCore } from './endpoint-core.js';
import { createProxy } from './proxy.js';
import type { ClientMethods, VolleyClient } from './types.js';

/**
 * Creates a typed client. Types come from the server's router type alone: import it with
 * `import type`, no codegen and no server code at run time.
 * @example
 * import type { AppRouter } from './server.js';
 * const client = createClient<AppRouter>('udp://127.0.0.1:4000');
 * const { value } = await client.kv.get({ key: 'a' }, { timeoutMs: 200 });
 */
export function createClient<TRouter extends AnyRouter>(
  url: string,
  options: ClientOptions = {},
): VolleyClient<TRouter> {
  const core = createEndpointCore(parseEndpoint(url), options, { target: url, retry: options.retry });
  const methods: ClientMethods = {
    call: (procedure, input, callOptions) => core.call(procedure, input, callOptions),
    notify: (procedure, input, callOptions) => core.notify(procedure, input, callOptions),
    close: () => core.close(),
    stats: core.stats,
  };
  return createProxy(core, methods) as VolleyClient<TRouter>;
}
