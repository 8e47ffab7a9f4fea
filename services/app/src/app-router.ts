import { router } from '@volley/router';
import { echoRouter } from '@volley/service-echo';
import { createKvRouter, KvStore } from '@volley/service-kv';

/** Echo and kv served together: `echo.add`, `kv.get`, ... */
export function createAppRouter(store: KvStore = new KvStore()) {
  return router({ echo: echoRouter, kv: createKvRouter(store) });
}

/** The combined router's type, for clients. */
export type AppRouter = ReturnType<typeof createAppRouter>;
