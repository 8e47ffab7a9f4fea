/**
 * Type-level tests: `npm run typecheck` verifies the `@ts-expect-error` lines and `expectTypeOf`
 * assertions; vitest runs the file so the assertions are also executed once.
 */
import { createClient, type RpcError } from '@volley/client';
import type { AppRouter } from '@volley/service-app';
import { describe, expectTypeOf, it } from 'vitest';

describe('client type inference', () => {
  it('infers inputs and outputs of nested procedures from the router type alone', () => {
    const client = createClient<AppRouter>('memory://types-only');
    expectTypeOf(client.kv.get).parameter(0).toEqualTypeOf<{ key: string }>();
    expectTypeOf(client.kv.get).returns.resolves.toEqualTypeOf<{ value: string | null; version: number | null }>();
    expectTypeOf(client.kv.set)
      .parameter(0)
      .toEqualTypeOf<{ key: string; value: string; ttlMs?: number | undefined }>();
    expectTypeOf(client.echo.ping).returns.resolves.toEqualTypeOf<{ pong: true; time: number }>();
    expectTypeOf(client.call).returns.resolves.toBeUnknown();

    // @ts-expect-error: `b` is missing
    void (() => client.echo.add({ a: 1 }));
    // @ts-expect-error: `a` must be a number
    void (() => client.echo.add({ a: '1', b: 2 }));
    // @ts-expect-error: no such procedure
    void (() => client.kv.rename({ key: 'a' }));
    // A procedure without input may be called with none; one with optional input too.
    void (() => client.echo.ping());
    void (() => client.kv.list());
    void client.close();
  });

  it('types per-call options and errors', () => {
    const client = createClient<AppRouter>('memory://types-only');
    // @ts-expect-error: timeoutMs is a number
    void (() => client.kv.get({ key: 'a' }, { timeoutMs: '5' }));
    expectTypeOf<RpcError['code']>().toEqualTypeOf<
      | 'BAD_REQUEST'
      | 'NOT_FOUND'
      | 'UNAUTHENTICATED'
      | 'PERMISSION_DENIED'
      | 'PAYLOAD_TOO_LARGE'
      | 'RESOURCE_EXHAUSTED'
      | 'UNAVAILABLE'
      | 'DEADLINE_EXCEEDED'
      | 'CANCELLED'
      | 'CLOSED'
      | 'INTERNAL'
    >();
    void client.close();
  });
});
