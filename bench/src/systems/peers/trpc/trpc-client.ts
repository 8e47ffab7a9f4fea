import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { Agent, fetch, type RequestInit } from 'undici';
import { requireHostPort } from '../../address.js';
import type { BenchClient, SystemAddress } from '../../system.js';
import type { AppRouter } from './trpc-router.js';

/**
 * The tRPC peer's client: `createTRPCClient<AppRouter>` with `httpBatchLink`, as the tRPC docs set
 * it up. HTTP/1.1 cannot multiplex, but httpBatchLink gathers every call made in the same tick into
 * one HTTP request (queries in one GET, mutations in one POST) and splits the batched reply, so 64
 * calls outstanding mostly travel as a few requests on one keep-alive connection.
 *
 * The fetch is undici's (Node's global fetch is an older undici bundled in Node), bound to an
 * Agent of this client's own, so its keep-alive connections belong to this client and `close` can release them (the
 * global fetch would share one pool among every client of the process and never close it).
 */
export async function connectClient(address: SystemAddress): Promise<BenchClient> {
  const { host, port } = requireHostPort(address, 'trpc');
  const agent = new Agent();
  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `http://${host}:${port}`,
        // tRPC passes a string body, a headers record, the method and a signal; only the global
        // DOM typings of those differ from undici's, hence the cast.
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), dispatcher: agent }),
      }),
    ],
  });
  return {
    add: (input) => trpc.add.query(input),
    echo: (input) => trpc.echo.mutate(input),
    close: () => agent.close(),
  };
}
