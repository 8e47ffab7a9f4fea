import { createHash } from 'node:crypto';
import { type BaseContext, type Middleware, middleware } from '@volley/router';
import { RpcError } from '@volley/wire';

/** What one token grants: who it stands for and what it may do. */
export interface TokenGrant {
  /** Who the token stands for; logged on refusals and handed to handlers. Never the token itself. */
  readonly subject: string;
  /** Scopes the token carries (for the kv service: `read`, `write`). */
  readonly scopes: readonly string[];
}

/** The caller as authentication established it, added to `ctx` as `ctx.principal`. */
export interface Principal {
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
}

/** Options for {@link requireToken}. */
export interface RequireTokenOptions {
  /** Every valid token and what it grants. Read once, when the middleware is made. */
  readonly tokens: ReadonlyMap<string, TokenGrant>;
  /** Scope the call needs; without one, any valid token will do. */
  readonly scope?: string;
  /**
   * Where the credential comes from. Default: the request metadata `au` (`ctx.meta.auth`), which
   * clients set with `createClient(url, { auth })` or per call with `{ auth }`.
   */
  readonly getCredentials?: (ctx: BaseContext) => string | undefined;
}

/** The context a token-checked procedure sees. */
export interface AuthenticatedContext {
  readonly principal: Principal;
}

/**
 * Middleware that admits a call only with a known token carrying `scope`:
 *
 * - no token, or one not in `tokens` → `UNAUTHENTICATED`;
 * - a known token without `scope` → `PERMISSION_DENIED`.
 *
 * Both are thrown before `next()`, so the handler never runs and the error keeps
 * `notExecuted: true`: a caller may retry with better credentials even a non-idempotent call.
 * Each refusal logs one info line (the caller's failure, not the server's: kept below warn so a
 * flood of bad credentials does not read as trouble) with the subject when known, never the token.
 *
 * Tokens are kept and looked up as SHA-256 digests, hashed here once: the middleware holds no
 * plaintext token, and the timing of the Map lookup depends on a digest the caller cannot steer,
 * not on how much of a real token it guessed.
 * @example
 * const tokens = new Map([['s3cret', { subject: 'ci-bot', scopes: ['read', 'write'] }]]);
 * const writer = procedure.use(requireToken({ tokens, scope: 'write' }));
 * const wipe = writer.handler(({ ctx }) => ctx.logger.info({ by: ctx.principal.subject }, 'wiped'));
 */
export function requireToken(options: RequireTokenOptions): Middleware<BaseContext, AuthenticatedContext> {
  const principals = new Map<string, Principal>();
  for (const [token, grant] of options.tokens) {
    principals.set(digest(token), Object.freeze({ subject: grant.subject, scopes: new Set(grant.scopes) }));
  }
  const { scope } = options;
  const getCredentials = options.getCredentials ?? readMetaAuth;

  return middleware<BaseContext>()(({ ctx, next }) => {
    const token = getCredentials(ctx);
    if (token === undefined || token === '') {
      ctx.logger.info({ peer: ctx.peer, reason: 'missing' }, 'unauthenticated call refused');
      throw new RpcError('UNAUTHENTICATED', `"${ctx.procedure}" needs credentials`);
    }
    const principal = principals.get(digest(token));
    if (principal === undefined) {
      ctx.logger.info({ peer: ctx.peer, reason: 'unknown token' }, 'unauthenticated call refused');
      throw new RpcError('UNAUTHENTICATED', 'Unknown credentials');
    }
    if (scope !== undefined && !principal.scopes.has(scope)) {
      ctx.logger.info({ peer: ctx.peer, subject: principal.subject, scope }, 'call refused: scope missing');
      throw new RpcError('PERMISSION_DENIED', `"${ctx.procedure}" needs the "${scope}" scope`, { data: { scope } });
    }
    return next({ principal });
  });
}

function readMetaAuth(ctx: BaseContext): string | undefined {
  return ctx.meta.auth;
}

/** The Map key for a token: its SHA-256 digest, in base64. */
function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
