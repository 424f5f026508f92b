import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import mongoose from 'mongoose';
import { ERRORS, type ErrorCode } from '@citysport/shared';

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

/** Turns any thrown value into a status and error body; never leaks internals on 5xx. */
export function toErrorResponse(err: unknown): { status: number; code: ErrorCode; message: string; details?: unknown } {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, details: err.details };
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
  const h = err as HttpishError;
  const status = h?.status ?? h?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' };
    if (status === 415) return { status, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' };
    if (h.type === 'entity.parse.failed' || status === 400 || status === 422)
      return { status: 400, code: 'BAD_JSON', message: 'request body is not valid JSON' };
    if (status === 404) return { status, code: 'NOT_FOUND', message: 'not found' };
    return { status: 400, code: 'VALIDATION_FAILED', message: h.expose && h.message ? h.message : 'bad request' };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
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
    ctx.body = { error: { code: res.code, message: res.message, ...(res.details !== undefined ? { details: res.details } : {}) } };
  }
};
