import { RpcError } from '@volley/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DiscoveredEndpoint, Discovery, type Resolve } from './discovery.js';
import type { Resolution } from './dns-resolver.js';
import { parseTargets } from './target.js';

/** A resolver whose answers the test sets; counts questions. */
function fakeResolver(answers: Map<string, Resolution | Error>): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const answer = async (name: string) => {
    asked.push(name);
    const found = answers.get(name);
    if (found === undefined || found instanceof Error) throw found ?? new Error(`no ${name}`);
    return found;
  };
  return { asked, resolveHost: (name) => answer(name), resolveSrv: (name) => answer(name) };
}

const at = (host: string, ttlMs = 5_000, port = 4000): Resolution => ({
  endpoints: [{ host, port, priority: 0, weight: 1 }],
  ttlMs,
});
const urls = (found: DiscoveredEndpoint[] | undefined) => found?.map((entry) => entry.key).sort();

describe('Discovery', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports the union of every target, re-resolves each when its TTL runs out, and reports changes', async () => {
    const answers = new Map<string, Resolution | Error>([['kv.internal', at('10.0.0.1', 2_000)]]);
    const resolver = fakeResolver(answers);
    let latest: DiscoveredEndpoint[] | undefined;
    const discovery = new Discovery(
      parseTargets(['udp://kv.internal:4000', 'udp://127.0.0.1:5000']),
      resolver,
      { onEndpoints: (found) => (latest = found), onError: () => {} },
      { retryMs: 1_000, maxRetryMs: 30_000 },
    );
    discovery.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(urls(latest)).toEqual(['udp://10.0.0.1:4000', 'udp://127.0.0.1:5000']);
    expect(latest?.find((entry) => entry.key === 'udp://10.0.0.1:4000')?.name).toBe('kv.internal');
    answers.set('kv.internal', {
      ...at('10.0.0.2'),
      endpoints: [...at('10.0.0.1').endpoints, ...at('10.0.0.2').endpoints],
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(resolver.asked).toEqual(['kv.internal']);
    await vi.advanceTimersByTimeAsync(1);
    expect(urls(latest)).toEqual(['udp://10.0.0.1:4000', 'udp://10.0.0.2:4000', 'udp://127.0.0.1:5000']);
    discovery.close();
  });

  it('keeps the last good answer when resolution fails, retrying with a doubling wait', async () => {
    const answers = new Map<string, Resolution | Error>([['kv.internal', at('10.0.0.1', 1_000)]]);
    const resolver = fakeResolver(answers);
    const errors: Error[] = [];
    let reports = 0;
    const discovery = new Discovery(
      parseTargets('udp://kv.internal:4000'),
      resolver,
      { onEndpoints: () => reports++, onError: (error) => errors.push(error) },
      { retryMs: 1_000, maxRetryMs: 30_000 },
    );
    discovery.start();
    await vi.advanceTimersByTimeAsync(0);
    answers.set('kv.internal', new RpcError('UNAVAILABLE', 'DNS down', { local: true, notExecuted: true }));
    await vi.advanceTimersByTimeAsync(1_000 + 1_000 + 2_000 + 4_000);
    expect(errors.length).toBe(4);
    expect(reports).toBe(1);
    expect(resolver.asked.length).toBe(5);
    discovery.close();
  });
});
