import { type ClientOptions, createClient, isRpcError, RpcError } from '@volley/client';
import { DESCRIBE_PROCEDURE, type ServiceManifest } from '@volley/wire';
import { assertServiceManifest } from './manifest-shape.js';

/**
 * Asks the server at `target` (a URL, a DNS or SRV name, or several URLs) for its manifest (`$describe`), over any transport `createClient`
 * takes. Over UDP a large manifest comes back truncated and the client fetches it over TCP by
 * itself. A failed call rejects with the client's `RpcError`, so callers can match on its `code`;
 * `NOT_FOUND` gets the message "reflection is turned off on <url>". An answer that is not a
 * manifest (not a Volley server, or another protocol version) rejects with a `TypeError`.
 * @example
 * const manifest = await loadManifestFromUrl('udp://127.0.0.1:4000', { timeoutMs: 2000 });
 */
export async function loadManifestFromUrl(
  target: string | readonly string[],
  options: ClientOptions = {},
): Promise<ServiceManifest> {
  const url = typeof target === 'string' ? target : target.join(',');
  const client = createClient(target, options);
  let answer: unknown;
  try {
    answer = await client.call(DESCRIBE_PROCEDURE);
  } catch (error) {
    if (isRpcError(error) && error.code === 'NOT_FOUND') {
      const { data, notExecuted, local } = error;
      throw new RpcError('NOT_FOUND', `reflection is turned off on ${url}`, { cause: error, data, notExecuted, local });
    }
    throw error;
  } finally {
    await client.close();
  }
  assertServiceManifest(answer, url);
  return answer;
}
