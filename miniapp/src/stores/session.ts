import Taro from '@tarojs/taro';
import type { LoginResponse, Me, SessionUser } from '@citysport/shared';
import { api } from '../api/endpoints';
import { setAuthHooks } from '../api/client';
import { IS_H5, WECHAT_MOCK } from '../api/config';
import { KEYS, readJson, readString, write } from './storage';
import { createStore, useStore } from './store';

export interface SessionState {
  token: string | null;
  user: SessionUser | null;
  /** profile from GET /me, loaded on demand */
  me: Me | null;
}

export const sessionStore = createStore<SessionState>({
  token: readString(KEYS.token),
  user: readJson<SessionUser>(KEYS.user),
  me: null,
});

export const LOGIN_PAGE = '/pages/login/index';
export const HOME_PAGE = '/pages/home/index';
export const TAB_PAGES = ['/pages/home/index', '/pages/venues/index', '/pages/events/index', '/pages/me/index'];

/** Seeded demo accounts of the WeChat stand-in (API.md), shown on the h5 login page. */
export const DEMO_ACCOUNTS = [
  { openid: 'demo-citizen', label: '市民演示账号', hint: '预订场馆、报名赛事' },
  { openid: 'demo-citizen-2', label: '市民演示账号二', hint: '第二位市民' },
  { openid: 'demo-staff', label: '场馆核验员', hint: '扫码核验入场' },
  { openid: 'demo-instructor', label: '社会体育指导员', hint: '发布健身指导' },
  { openid: 'demo-organiser', label: '赛事组织者', hint: '发布和管理赛事' },
  { openid: 'demo-admin', label: '体育局管理员', hint: '权限与数据管理' },
  { openid: 'demo-analyst', label: '体育局数据分析员', hint: '数据看板与汇聚计划（只读）' },
] as const;

export function getToken(): string | null {
  return sessionStore.get().token;
}

export function isLoggedIn(): boolean {
  return !!sessionStore.get().token;
}

function saveLogin(res: LoginResponse): void {
  write(KEYS.token, res.token);
  write(KEYS.user, JSON.stringify(res.user));
  sessionStore.set({ token: res.token, user: res.user, me: null });
}

export function clearToken(): void {
  write(KEYS.token, null);
  write(KEYS.user, null);
  sessionStore.set({ token: null, user: null, me: null });
}

async function loginWithCode(code: string, toast: boolean): Promise<LoginResponse> {
  const res = await api.login(code, { toast });
  saveLogin(res);
  return res;
}

/** Log in as one of the stand-in's demo accounts (h5, or DevTools against the stand-in). */
export async function loginAsDemo(openid: string): Promise<LoginResponse> {
  const res = await loginWithCode(`mock:${openid}`, true);
  write(KEYS.demoOpenid, openid);
  return res;
}

/** Log in with the code of Taro.login (weapp). */
export async function loginWithWechat(toast = true): Promise<LoginResponse> {
  const { code } = await Taro.login();
  if (!code) throw new Error('Taro.login returned no code');
  return loginWithCode(code, toast);
}

let inFlight: Promise<boolean> | null = null;

/**
 * Log in without asking the user: weapp uses Taro.login; h5 has no WeChat, so it reuses the demo
 * account chosen last time (stand-in only). Resolves false when that is not possible.
 */
export function silentLogin(): Promise<boolean> {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    try {
      if (!IS_H5) {
        await loginWithWechat(false);
        return true;
      }
      const openid = readString(KEYS.demoOpenid);
      if (WECHAT_MOCK && openid) {
        await loginWithCode(`mock:${openid}`, false);
        return true;
      }
      return false;
    } catch {
      return false;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

function currentPath(): string {
  const pages = Taro.getCurrentPages();
  const page = pages[pages.length - 1];
  if (!page?.route) return HOME_PAGE;
  const route = page.route.startsWith('/') ? page.route : `/${page.route}`;
  return route.split('?')[0];
}

let navigating = false;

/** Open the login page, remembering where to come back to. */
export function goToLogin(redirect?: string): void {
  const from = redirect ?? currentPath();
  if (navigating || from.startsWith(LOGIN_PAGE)) return;
  navigating = true;
  Taro.navigateTo({ url: `${LOGIN_PAGE}?redirect=${encodeURIComponent(from)}` })
    .catch(() => Taro.redirectTo({ url: `${LOGIN_PAGE}?redirect=${encodeURIComponent(from)}` }))
    .catch(() => undefined)
    .finally(() => {
      navigating = false;
    });
}

/** After a successful login: back to where the user came from (a tab or any other page). */
/** venue staff (核验员) land on the gate page, not the citizen home (issue 10) */
export const GATE_PAGE = '/packages/staff/index';

export function leaveLogin(redirect?: string): void {
  const roles = sessionStore.get().user?.roles ?? [];
  const home = roles.includes('staff') ? GATE_PAGE : HOME_PAGE;
  const target = redirect && redirect.startsWith('/') && !redirect.startsWith(LOGIN_PAGE) ? redirect : home;
  const path = target.split('?')[0];
  if (TAB_PAGES.includes(path)) Taro.switchTab({ url: path }).catch(() => Taro.reLaunch({ url: path }));
  else Taro.redirectTo({ url: target }).catch(() => Taro.reLaunch({ url: HOME_PAGE }));
}

/**
 * For pages that need a user: true when a token exists or a silent login worked; otherwise sends
 * the user to the login page (h5, or weapp when WeChat login failed) and resolves false.
 */
export async function ensureLoggedIn(redirect?: string): Promise<boolean> {
  if (isLoggedIn()) return true;
  if (await silentLogin()) return true;
  goToLogin(redirect);
  return false;
}

export async function loadMe(toast = true): Promise<Me | null> {
  if (!isLoggedIn()) return null;
  const { user } = await api.me({ toast });
  sessionStore.set((s) => ({ ...s, me: user }));
  return user;
}

export function logout(): void {
  clearToken();
  write(KEYS.demoOpenid, null);
}

export function useSession<U>(select: (s: SessionState) => U): U {
  return useStore(sessionStore, select);
}

setAuthHooks({
  getToken,
  async relogin() {
    clearToken();
    const ok = await silentLogin();
    if (!ok) goToLogin();
    return ok;
  },
});
