import { Pool } from 'undici';
import { requireHostPort } from '../../address.js';
import type { AddOutput, BenchClient, EchoOutput, SystemAddress } from '../../system.js';

/**
 * The plain-JSON-over-HTTP peer's client: an undici `Pool` to the server's origin and
 * `pool.request()` per call, the fast path undici recommends over fetch. HTTP/1.1 carries one
 * request at a time per connection (pipelining stays off, its default), so the pool opens up to
 * MAX_CONNECTIONS keep-alive connections — one per call the bench keeps outstanding.
 */
/** The bench's largest window: 64 calls outstanding per client. */
const MAX_CONNECTIONS = 64;

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function connectClient(address: SystemAddress): Promise<BenchClient> {
  const { host, port } = requireHostPort(address, 'fastify');
  const pool = new Pool(`http://${host}:${port}`, { connections: MAX_CONNECTIONS });

  async function post<TOutput>(path: string, input: unknown): Promise<TOutput> {
    const { body } = await pool.request({ method: 'POST', path, headers: JSON_HEADERS, body: JSON.stringify(input) });
    return (await body.json()) as TOutput;
  }

  return {
    add: (input) => post<AddOutput>('/add', input),
    echo: (input) => post<EchoOutput>('/echo', input),
    close: () => pool.close(),
  };
}
