import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import mongoose from 'mongoose';
import { ERRORS, ERROR_MESSAGES_ZH, type ErrorCode } from '@citysport/shared';

/** A failure the client can act on: a stable code, its fixed HTTP status, optional details. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? code);
    this.status = ERRORS[code];
  }
}

export function zodDetails(err: ZodError) {
  return err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const GENERIC_5XX_EN: Partial<Record<ErrorCode, string>> = {
  UPSTREAM_UNAVAILABLE: 'a service we depend on (WeChat) is unavailable, retry later',
  SERVICE_UNAVAILABLE: 'the service is briefly unavailable, retry later',
  INTERNAL: 'internal error',
};

/**
 * What a client sees of a 5xx: its stable code and a fixed Chinese/English message. The thrown
 * message and details (WeChat's own error text, URLs, amounts) go to the log only.
 */
export function genericServerError(status: number, code: ErrorCode) {
  const en = GENERIC_5XX_EN[code] ?? 'internal error';
  return { status, code, message: ERROR_MESSAGES_ZH[code] ? `${ERROR_MESSAGES_ZH[code]} (${en})` : en };
}

/**
 * True only when every write a failed (bulk) write reports was refused as a duplicate key (E11000):
 * the documents were there already. An error carrying no write errors at all (the connection was
 * lost, the engine went away) is not "all duplicates": nothing says the documents were written.
 */
export function onlyDuplicateKeys(err: unknown): boolean {
  const e = err as { code?: unknown; writeErrors?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const listed = e.writeErrors === undefined ? [] : Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
  const codeOf = (w: { code?: unknown; err?: { code?: unknown } } | null) => w?.code ?? w?.err?.code;
  if (listed.length > 0) return listed.every((w) => codeOf(w as never) === 11000);
  return e.code === 11000;
}

/** The driver's and mongoose's names for "the engine cannot be reached" (not a refusal of the request itself). */
const ENGINE_AWAY = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'PoolClosedError',
  'WaitQueueTimeoutError',
]);

/**
 * A socket to the engine broke under a write: the driver (6.x) waits for 'drain' when the socket's
 * buffer is full and rethrows the socket's own error as it is, unwrapped (seen under load in the
 * engine-restart fault test). Every outside call that is not the database is wrapped (WeChat:
 * UPSTREAM_UNAVAILABLE), so a bare one of these reaching the error middleware is the engine's.
 */
const SOCKET_GONE = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ENOTCONN']);

/** Seconds a client is told to wait before retrying while the engine is away. */
export const ENGINE_RETRY_AFTER_SECONDS = 5;

/** The database engine is unreachable (restarting, network lost): a 503 the client may retry, not a 500. */
export function isEngineUnavailable(err: unknown): boolean {
  for (
    let e = err as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as never, depth++
  ) {
    if (typeof e !== 'object') return false;
    if (typeof e.name === 'string' && ENGINE_AWAY.has(e.name)) return true;
    if (typeof e.code === 'string' && SOCKET_GONE.has(e.code)) return true;
    // mongoose queues operations while disconnected and fails them after bufferTimeoutMS
    if (e.name === 'MongooseError' && typeof e.message === 'string' && /buffering timed out/.test(e.message)) return true;
  }
  return false;
}

/** Turns any thrown value into a status and error body; never leaks internals on 5xx. */
export function toErrorResponse(err: unknown): { status: number; code: ErrorCode; message: string; details?: unknown } {
  if (err instanceof AppError) {
    if (err.status >= 500) return genericServerError(err.status, err.code);
    return { status: err.status, code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof ZodError) return { status: 400, code: 'VALIDATION_FAILED', message: 'request is not valid', details: zodDetails(err) };
  if (err instanceof mongoose.Error.CastError)
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'request is not valid',
      details: [{ path: err.path, message: 'invalid value' }],
    };
  if (err instanceof mongoose.Error.ValidationError)
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'request is not valid',
      details: Object.values(err.errors).map((e) => ({ path: e.path, message: e.message })),
    };
  if ((err as { code?: unknown })?.code === 11000) return { status: 409, code: 'CONFLICT', message: 'already exists' };
  if (isEngineUnavailable(err)) return genericServerError(503, 'SERVICE_UNAVAILABLE');
  const h = err as HttpishError;
  const status = h?.status ?? h?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' };
    if (status === 415) return { status, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' };
    if (h.type === 'entity.parse.failed' || status === 400 || status === 422)
      return { status: 400, code: 'BAD_JSON', message: 'request body is not valid JSON' };
    if (status === 404) return { status, code: 'NOT_FOUND', message: 'not found' };
    if (status === 405) return { status, code: 'METHOD_NOT_ALLOWED', message: 'this path does not take that method' };
    return { status: 400, code: 'VALIDATION_FAILED', message: h.expose && h.message ? h.message : 'bad request' };
  }
  // 501 is the router's "method it knows no route for": to the client that is a method this path does not take
  if (status === 501) return { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'this path does not take that method' };
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}

interface MatchedLayer {
  methods?: string[];
}

/** The methods the routes matching this path serve (koa-router records the matched layers on ctx.matched). */
function allowedMethods(ctx: { matched?: MatchedLayer[] }): string[] {
  const methods = new Set<string>();
  for (const layer of ctx.matched ?? []) for (const m of layer.methods ?? []) methods.add(m);
  return [...methods].sort();
}

export const errorMiddleware: Middleware = async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw new AppError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
  } catch (err) {
    const res = toErrorResponse(err);
    if (res.status >= 500) ctx.state.log?.error({ err }, 'request failed');
    else ctx.state.log?.info({ code: res.code, status: res.status }, 'request rejected');
    ctx.status = res.status;
    if (res.code === 'SERVICE_UNAVAILABLE') ctx.set('Retry-After', String(ENGINE_RETRY_AFTER_SECONDS));
    if (res.status === 405) {
      const allow = allowedMethods(ctx as unknown as { matched?: MatchedLayer[] });
      if (allow.length) ctx.set('Allow', allow.join(', '));
    }
    ctx.body = { error: { code: res.code, message: res.message, ...(res.details !== undefined ? { details: res.details } : {}) } };
  }
};
