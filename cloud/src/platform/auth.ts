import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Role } from '@citysport/shared';
import { AppError } from './errors';
import type { Logger } from './logger';

export interface TokenClaims {
  userId: string;
  roles: Role[];
  /** when the token was issued (seconds since the epoch); sessions ended after it refuse the token */
  issuedAt?: number;
}

export interface AuthState {
  user?: TokenClaims;
  /** the request's child logger (request-context middleware) */
  log: Logger;
}

export interface TokenService {
  sign(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }>;
  verify(token: string): Promise<TokenClaims>;
}

const ISSUER = 'citysport';
const AUDIENCE = 'citysport-miniapp';
/** verified tokens kept (their claims and expiry): a user's next requests skip the HMAC check */
const VERIFIED_KEPT = 10_000;

export function createTokenService(secret: string, ttlSeconds: number, now: () => Date = () => new Date()): TokenService {
  const key = new TextEncoder().encode(secret);
  // token → what its verification found; expiry is checked on every use, ended sessions by the session check after
  const verified = new Map<string, { claims: TokenClaims; expiresAtMs: number }>();
  return {
    async sign({ userId, roles }) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const exp = issuedAt + ttlSeconds;
      const token = await new SignJWT({ roles })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token) {
      const kept = verified.get(token);
      if (kept) {
        if (now().getTime() < kept.expiresAtMs) return kept.claims;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: now(),
        });
        if (typeof payload.sub !== 'string' || !Array.isArray(payload.roles)) throw new AppError('TOKEN_INVALID', 'token is malformed');
        // frozen: one object answers every request of this token
        const claims: TokenClaims = Object.freeze({
          userId: payload.sub,
          roles: Object.freeze([...(payload.roles as Role[])]) as Role[],
          issuedAt: payload.iat,
        });
        if (typeof payload.exp === 'number') {
          if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!); // the oldest goes
          verified.set(token, { claims, expiresAtMs: payload.exp * 1000 });
        }
        return claims;
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED', 'token has expired');
        throw new AppError('TOKEN_INVALID', 'token is not valid');
      }
    },
  };
}

/**
 * Is this token's session still open? Throws (SESSION_ENDED) when it was ended after the token
 * was issued — identity supplies it: a closed bureau account (专人专号) ends its sessions.
 */
export type SessionCheck = (claims: TokenClaims) => Promise<void>;

/** Reads the bearer token when there is one; routes decide with requireUser whether they need it. */
export function authenticate(tokens: TokenService, sessionCheck?: () => SessionCheck | undefined): Middleware<AuthState> {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    if (header) {
      const m = /^Bearer ([A-Za-z0-9_.-]{10,4096})$/.exec(header);
      if (!m) throw new AppError('TOKEN_INVALID', 'Authorization must be "Bearer <token>"');
      const claims = await tokens.verify(m[1]);
      await sessionCheck?.()?.(claims);
      ctx.state.user = claims;
    }
    await next();
  };
}

export const requireUser: Middleware<AuthState> = async (ctx, next) => {
  if (!ctx.state.user) throw new AppError('UNAUTHENTICATED', 'login required');
  await next();
};

export function currentUser(ctx: ParameterizedContext<AuthState>): TokenClaims {
  if (!ctx.state.user) throw new AppError('UNAUTHENTICATED', 'login required');
  return ctx.state.user;
}

/**
 * Role checks read the user's current grants (not the token's copy), so a revoked role stops
 * working at once. `scopeOf` names the venue/club the request acts on, for scoped roles.
 */
export type GrantLookup = (userId: string) => Promise<{ role: Role; scope?: string }[]>;

export function requireRole(
  lookup: GrantLookup,
  roles: Role[],
  scopeOf?: (ctx: ParameterizedContext<AuthState>) => string | undefined,
): Middleware<AuthState> {
  return async (ctx, next) => {
    const user = currentUser(ctx);
    const grants = await lookup(user.userId);
    const scope = scopeOf?.(ctx);
    const allowed = grants.some(
      (g) => g.role === 'admin' || (roles.includes(g.role) && (g.scope === undefined || scope === undefined || g.scope === scope)),
    );
    if (!allowed) throw new AppError('FORBIDDEN', `requires role ${roles.join(' or ')}${scope ? ` for ${scope}` : ''}`);
    await next();
  };
}
