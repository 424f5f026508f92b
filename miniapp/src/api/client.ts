import Taro from '@tarojs/taro';
import type { z } from 'zod';
import { ErrorBodySchema } from '@citysport/shared';
import { API_BASE } from './config';
import { ApiError, BAD_RESPONSE, NETWORK_ERROR, errorMessageZh } from './errors';
import { notify } from '../stores/elder';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions<S extends z.ZodType> {
  method?: Method;
  /** path under the API base, e.g. '/venues' */
  path: string;
  query?: Record<string, QueryValue>;
  data?: unknown;
  /** shared zod schema the response body must satisfy */
  schema: S;
  /** attach the bearer token, and on 401 re-login once and retry once (default true) */
  auth?: boolean;
  /** show a Chinese toast when the call fails (default true) */
  toast?: boolean;
  header?: Record<string, string>;
  timeoutMs?: number;
}

/** Set by the session store: where the token lives and how to log in again without the user. */
export interface AuthHooks {
  getToken(): string | null;
  /** clear the stale token and log in again silently; resolves true when a new token is stored */
  relogin(): Promise<boolean>;
}

let hooks: AuthHooks | null = null;

export function setAuthHooks(next: AuthHooks): void {
  hooks = next;
}

/** the bearer token for calls the request() wrapper cannot make (Taro.uploadFile) */
export function currentToken(): string | null {
  return hooks?.getToken() ?? null;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  let url = API_BASE.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
  if (query) {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue;
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
    if (parts.length) url += (url.includes('?') ? '&' : '?') + parts.join('&');
  }
  return url;
}

export function showErrorToast(e: unknown): void {
  notify(errorMessageZh(e), 2500);
}

async function send<S extends z.ZodType>(opts: RequestOptions<S>, mayRetry: boolean): Promise<z.output<S>> {
  const auth = opts.auth !== false;
  const header: Record<string, string> = { Accept: 'application/json', ...opts.header };
  const token = auth && hooks ? hooks.getToken() : null;
  if (token) header.Authorization = `Bearer ${token}`;
  const method = opts.method ?? 'GET';
  if (opts.data !== undefined) header['Content-Type'] = 'application/json';

  let res: Taro.request.SuccessCallbackResult;
  try {
    res = await Taro.request({
      url: buildUrl(opts.path, opts.query),
      method,
      data: opts.data as Taro.request.Option['data'],
      header,
      dataType: 'json',
      timeout: opts.timeoutMs ?? 15000,
    });
  } catch (e) {
    const message = (e as { errMsg?: string; message?: string })?.errMsg ?? String(e);
    throw new ApiError(NETWORK_ERROR, 0, message);
  }

  const status = res.statusCode;
  if (status === 401 && auth && mayRetry && hooks) {
    let renewed = false;
    try {
      renewed = await hooks.relogin();
    } catch {
      renewed = false;
    }
    if (renewed) return send(opts, false);
  }

  if (status >= 200 && status < 300) {
    // any 2xx is success (201 Created too); 204 No Content has no body: weapp gives '', h5 null
    const data: unknown = status === 204 || res.data === '' || res.data === null ? undefined : res.data;
    const parsed = opts.schema.safeParse(data, { jitless: true });
    if (!parsed.success) {
      throw new ApiError(BAD_RESPONSE, status, `response of ${method} ${opts.path} does not match its schema`, parsed.error.issues);
    }
    return parsed.data;
  }

  const body = ErrorBodySchema.safeParse(res.data, { jitless: true });
  if (body.success) {
    throw new ApiError(body.data.error.code, status, body.data.error.message, body.data.error.details);
  }
  throw new ApiError(`HTTP_${status}`, status, `${method} ${opts.path} failed with HTTP ${status}`);
}

/**
 * The one way the mini-program talks to the cloud: typed by the caller's zod schema,
 * token attached, one silent re-login on 401, Chinese toast on failure (unless `toast: false`).
 */
export async function request<S extends z.ZodType>(opts: RequestOptions<S>): Promise<z.output<S>> {
  try {
    return await send(opts, true);
  } catch (e) {
    if (opts.toast !== false) showErrorToast(e);
    throw e;
  }
}

/** One file to upload: a path the mini-program gave (Taro.chooseImage), or, in h5, the File an <input type=file> picked. */
export type UploadSource = { filePath: string } | { file: Blob; name: string };

function errorOf(status: number, data: unknown, what: string): ApiError {
  const body = ErrorBodySchema.safeParse(data, { jitless: true });
  if (body.success) return new ApiError(body.data.error.code, status, body.data.error.message, body.data.error.details);
  return new ApiError(`HTTP_${status}`, status, `${what} failed with HTTP ${status}`);
}

async function sendUpload<S extends z.ZodType>(
  opts: { path: string; source: UploadSource; field?: string; schema: S },
  mayRetry: boolean,
): Promise<z.output<S>> {
  const field = opts.field ?? 'file';
  const token = hooks ? hooks.getToken() : null;
  const header: Record<string, string> = { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  let status: number;
  let data: unknown;
  try {
    if ('file' in opts.source) {
      // h5: the browser sends the multipart body itself (its boundary in the content type)
      const form = new FormData();
      form.append(field, opts.source.file, opts.source.name);
      const res = await fetch(buildUrl(opts.path), { method: 'POST', body: form, headers: header });
      status = res.status;
      data = await res.json().catch(() => undefined);
    } else {
      const res = await Taro.uploadFile({ url: buildUrl(opts.path), filePath: opts.source.filePath, name: field, header });
      status = res.statusCode;
      try {
        data = typeof res.data === 'string' ? JSON.parse(res.data) : res.data;
      } catch {
        data = undefined;
      }
    }
  } catch (e) {
    throw new ApiError(NETWORK_ERROR, 0, (e as { errMsg?: string; message?: string })?.errMsg ?? String(e));
  }
  if (status === 401 && mayRetry && hooks && (await hooks.relogin().catch(() => false))) return sendUpload(opts, false);
  if (status >= 200 && status < 300) {
    const parsed = opts.schema.safeParse(data, { jitless: true });
    if (!parsed.success)
      throw new ApiError(BAD_RESPONSE, status, `response of upload ${opts.path} does not match its schema`, parsed.error.issues);
    return parsed.data;
  }
  throw errorOf(status, data, `upload ${opts.path}`);
}

/** A multipart upload (field `file`) with the same token, re-login and Chinese errors as `request`. */
export async function upload<S extends z.ZodType>(opts: {
  path: string;
  source: UploadSource;
  field?: string;
  schema: S;
  toast?: boolean;
}): Promise<z.output<S>> {
  try {
    return await sendUpload(opts, true);
  } catch (e) {
    if (opts.toast !== false) showErrorToast(e);
    throw e;
  }
}
