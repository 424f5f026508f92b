/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * 关怀模式 measured against the 工信部《移动互联网应用（APP）适老化通用设计规范》(2021): every page of
 * the app (app.config.ts) is opened in the h5 build at the 375-wide viewport (1 pt ≈ 1 CSS px there),
 * in normal and in elderly mode, and its computed styles are measured:
 *   - visible text ≥ 18 px,
 *   - tap targets (anything with a click handler, buttons, inputs, tabs, the tab bar) ≥ 60 × 60 px,
 *   - line height ≥ 1.3 × the font size,
 *   - WCAG contrast ≥ 4.5:1 (3:1 for text ≥ 24 px, or ≥ 18.66 px bold) against the first opaque
 *     background behind it (gradients: their worst stop),
 *   - no pop-up (toast, modal) open over the page.
 * Elderly mode fails on any page under the rules; normal mode is only reported. A table per page
 * is printed and each page is screenshotted in both modes (tests/e2e/screenshots/a11y-*.png).
 */
import { businessDay } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { seedDemoData } from '../../mock/src/seed/seed';
import { loginAs, openH5, type H5Session } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const RULES = { minFontPx: 18, minTapPx: 60, minLineHeight: 1.3, contrast: 4.5, largeContrast: 3 };

const clock = new ManualClock(new Date());
let stack: TestStack;
let h5: H5Session;
/** route (as in app.config.ts) → query with real ids from the seeded data */
const queries: Record<string, string> = {};

interface Finding {
  kind: 'font' | 'tap' | 'line-height' | 'contrast' | 'popup';
  what: string;
  value: string;
}

interface Measure {
  texts: number;
  bigTexts: number;
  minFont: number;
  taps: number;
  minTap: string;
  minLineHeight: number;
  minContrast: number;
  findings: Finding[];
}

/** Every page of the app, from app.config.ts itself, with the account that may open it. */
function allPages(): { route: string; account: string }[] {
  // app.config.ts calls Taro's build-time global
  (globalThis as { defineAppConfig?: (c: unknown) => unknown }).defineAppConfig ??= (c) => c;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require('../../miniapp/src/app.config').default as { pages: string[]; subPackages: { root: string; pages: string[] }[] };
  const routes = [...config.pages, ...config.subPackages.flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))];
  const accountOf = (route: string) =>
    route === 'packages/staff/index'
      ? 'staff'
      : [
            'packages/manage/index',
            'packages/admin/index',
            'packages/admin/accounts',
            'packages/admin/plans',
            'packages/gate/index',
            'packages/dashboard/index',
          ].includes(route)
        ? 'admin'
        : 'citizen';
  // the login page last: visiting it would not log anyone out, but keeps the order readable
  return routes.map((route) => ({ route, account: accountOf(route) })).sort((a, b) => a.account.localeCompare(b.account));
}

/** Runs in the page: measures what is visible now in the current Taro page and the tab bar. */
function measureInPage(rules: typeof RULES): Measure {
  type RGBA = [number, number, number, number];
  const parse = (c: string): RGBA | null => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top: RGBA, under: RGBA): RGBA => {
    const a = top[3];
    return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
  };
  const luminance = (c: RGBA) => {
    const ch = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a: RGBA, b: RGBA) => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  /** the backgrounds behind an element: semi-transparent layers composited down to the first opaque one */
  const backgrounds = (el: Element): RGBA[] => {
    const layers: RGBA[][] = [];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      const stops = cs.backgroundImage.includes('gradient') ? (cs.backgroundImage.match(/rgba?\([^)]+\)/g) ?? []).map(parse) : [];
      if (stops.length) {
        layers.push(stops.filter((s): s is RGBA => !!s));
        if (stops.every((s) => s && s[3] >= 1)) break;
        continue;
      }
      const bg = parse(cs.backgroundColor);
      if (bg && bg[3] > 0) {
        layers.push([bg]);
        if (bg[3] >= 1) break;
      }
    }
    let result: RGBA[] = [[255, 255, 255, 1]];
    for (const layer of layers.reverse()) result = layer.flatMap((top) => result.map((under) => over(top, under)));
    return result;
  };
  const opacity = (el: Element) => {
    let o = 1;
    for (let e: Element | null = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const visible = (el: Element) => {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = (el: Element) => {
    const cls = (el.getAttribute('class') ?? '')
      .split(/\s+/)
      .filter((c) => c && !c.startsWith('taro'))
      .slice(0, 2)
      .join('.');
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} “${(el.textContent ?? '').trim().slice(0, 14)}”`;
  };

  // the current Taro page (earlier pages stay in the DOM, hidden) and the h5 tab bar
  const top = [...document.querySelectorAll('.taro_page')].filter(visible).pop();
  const roots = [top, document.querySelector('.taro-tabbar__tabbar')].filter((e): e is Element => !!e && visible(e));
  const findings: Finding[] = [];
  let texts = 0;
  let bigTexts = 0;
  let minFont = Infinity;
  let minLineHeight = Infinity;
  let minContrast = Infinity;

  const textEls = new Set<Element>();
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.textContent?.trim() && n.parentElement && visible(n.parentElement)) textEls.add(n.parentElement);
    }
  }
  for (const el of textEls) {
    const cs = getComputedStyle(el);
    const size = parseFloat(cs.fontSize);
    texts++;
    if (size >= rules.minFontPx - 0.05) bigTexts++;
    else findings.push({ kind: 'font', what: label(el), value: `${size.toFixed(1)}px` });
    minFont = Math.min(minFont, size);

    // `normal` is about 1.2 for CJK fonts: under the rule
    const lh = cs.lineHeight === 'normal' ? 1.2 : parseFloat(cs.lineHeight) / size;
    minLineHeight = Math.min(minLineHeight, lh);
    if (lh < rules.minLineHeight - 0.01) findings.push({ kind: 'line-height', what: label(el), value: lh.toFixed(2) });

    const fg = parse(cs.color);
    if (!fg) continue;
    const bgs = backgrounds(el);
    const fgSeen = (bg: RGBA) => over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
    const worst = Math.min(...bgs.map((bg) => ratio(fgSeen(bg), bg)));
    minContrast = Math.min(minContrast, worst);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    const need = large ? rules.largeContrast : rules.contrast;
    if (worst < need - 0.005) findings.push({ kind: 'contrast', what: label(el), value: `${worst.toFixed(2)}:1 (needs ${need})` });
  }

  // tap targets: elements with a click handler, native controls, the tab bar
  const interactive = new Set<Element>();
  for (const root of roots) {
    for (const el of root.querySelectorAll('*')) {
      // Taro's h5 components keep their listeners in `__events` (React's own host props as a fallback)
      const own = el as unknown as Record<string, unknown>;
      const events = (own.__events ?? {}) as Record<string, unknown>;
      const reactKey = Object.keys(el).find((k) => k.startsWith('__reactProps'));
      const props = (reactKey ? own[reactKey] : {}) as Record<string, unknown>;
      const clickable =
        Object.keys(events).some((k) => /^(click|tap)$/i.test(k) && !!events[k]) ||
        typeof props.onClick === 'function' ||
        typeof props.onTap === 'function';
      const native = el.matches('button, input:not([type=hidden]), textarea, a[href], [role=button], .nut-switch, .weui-tabbar__item');
      // a full-page mask is a tap target only in the sense of "tap outside"
      if ((clickable || native) && visible(el) && !el.matches('.sheet__mask, .nut-overlay')) interactive.add(el);
    }
  }
  let minArea = Infinity;
  let minTap = '-';
  for (const el of interactive) {
    // an input's tap target is its field (NutUI wraps it)
    const target = el.matches('input, textarea') ? (el.closest('.nut-input, .nut-textarea') ?? el) : el;
    const r = target.getBoundingClientRect();
    if (r.width * r.height < minArea) {
      minArea = r.width * r.height;
      minTap = `${r.width.toFixed(0)}×${r.height.toFixed(0)}`;
    }
    if (r.width < rules.minTapPx - 0.5 || r.height < rules.minTapPx - 0.5)
      findings.push({ kind: 'tap', what: label(target), value: `${r.width.toFixed(1)}×${r.height.toFixed(1)}` });
  }

  for (const el of document.querySelectorAll('.taro__toast, .taro__modal, .taro__actionSheet, .nut-toast, .nut-dialog')) {
    if (visible(el)) findings.push({ kind: 'popup', what: label(el), value: 'open over the page' });
  }

  return {
    texts,
    bigTexts,
    minFont: minFont === Infinity ? 0 : minFont,
    taps: interactive.size,
    minTap,
    minLineHeight: minLineHeight === Infinity ? 0 : minLineHeight,
    minContrast: minContrast === Infinity ? 0 : minContrast,
    findings,
  };
}

beforeAll(async () => {
  stack = await startTestStack('e2e-elder', { clock, wechatPay: { signMode: 'public_key' } });
  const seeded = await seedDemoData(stack.cloud.services);
  const citizen = await stack.login('demo-citizen');
  const admin = await stack.login('demo-admin');

  // a paid court booking waiting for payment: the confirm, pay and result pages
  const tomorrow = businessDay(new Date(clock.now().getTime() + 86_400_000));
  const olympic = seeded.venueIds[0];
  const courts = (await stack.request('GET', `/venues/${olympic}/slots?date=${tomorrow}&sport=badminton`)).body.items;
  const [paidSlot, nextSlot] = courts.filter((s: { status: string; priceFen: number }) => s.status === 'open' && s.priceFen > 0);
  const booking = (await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [paidSlot.id] } })).body.booking;
  expect(booking.orderId).toBeTruthy();

  // a free class: a ticket to show
  const gym = seeded.venueIds[3];
  const classes = (await stack.request('GET', `/venues/${gym}/slots?date=${tomorrow}&sport=fitness`)).body.items;
  const open = classes.find((s: { status: string }) => s.status === 'open');
  expect((await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [open.id] } })).status).toBe(201);
  const ticketId = (await stack.request('GET', '/tickets/mine', { token: citizen.token })).body.items[0].id;

  // a voucher batch to claim and one claimed voucher
  const batch = await stack.request('POST', '/admin/voucher-batches', {
    token: admin.token,
    body: {
      name: '苏州全民健身消费券',
      kind: 'amount',
      faceFen: 1000,
      minSpendFen: 3000,
      validFrom: new Date(clock.now().getTime() - 3600_000).toISOString(),
      validTo: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString(),
      total: 200,
    },
  });
  expect(batch.status).toBe(201);

  queries['packages/venue/index'] = `id=${olympic}`;
  queries['packages/booking/slots'] = `venueId=${olympic}&date=${tomorrow}&sport=badminton`;
  queries['packages/booking/confirm'] = `venueId=${olympic}&date=${tomorrow}&slotIds=${nextSlot.id}`;
  queries['packages/pay/index'] = `orderId=${booking.orderId}`;
  queries['packages/pay/result'] = `orderId=${booking.orderId}`;
  queries['packages/pay/vouchers'] = 'tab=claim';
  queries['packages/ticket/detail'] = `id=${ticketId}`;
  queries['packages/manage/index'] = `venueId=${olympic}&tab=day`;
  const clubId = (await stack.request('GET', '/clubs?q=跑团')).body.items[0].id;
  queries['packages/club/detail'] = `id=${clubId}`;
  queries['packages/club/admin'] = `id=${clubId}`;
  queries['packages/gate/index'] = `venueId=${olympic}`;
  queries['packages/gate/kiosk'] = `venueId=${olympic}`;

  h5 = await openH5(stack);
}, 180_000);

afterAll(async () => {
  await h5?.close();
  await stack?.stop();
});

/** entry pages that only redirect (old links): what the citizen sees, and so what is measured, is where they land */
const REDIRECTS: Record<string, string> = { 'packages/booking/index': 'packages/booking/mine' };

/** Opens a page and waits until its data has come (no skeleton, no spinner) and transitions have ended. */
async function open(route: string) {
  const q = queries[route];
  await h5.page.goto(`${h5.url}/#/${route}${q ? `?${q}` : ''}`);
  await h5.page.waitForFunction(
    (r) => {
      // the page on top: Taro keeps earlier pages (and tab pages) in the DOM under it
      const page = [...document.querySelectorAll('.taro_page')].filter((p) => p.checkVisibility()).pop();
      return (
        !!page &&
        page.id.startsWith(`/${r}`) &&
        !!(page.querySelector('.screen') as HTMLElement | null)?.innerText.trim() &&
        !page.querySelector('.state-view--loading, .nut-skeleton, [class*=skeleton]')
      );
    },
    REDIRECTS[route] ?? route,
    { timeout: 30_000 },
  );
  // the data a page loads after its first paint (lists, profile), then the page transition
  await h5.page.waitForLoadState('networkidle');
  await h5.page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
}

type Mode = 'normal' | 'elder';
const results: Record<Mode, { route: string; m: Measure }[]> = { normal: [], elder: [] };

function table(mode: Mode): string {
  const rows = results[mode].map(({ route, m }) => {
    const kinds = ['font', 'tap', 'line-height', 'contrast', 'popup'].map((k) => m.findings.filter((f) => f.kind === k).length);
    return [
      route.padEnd(26),
      `${m.bigTexts}/${m.texts}`.padStart(7),
      m.minFont.toFixed(1).padStart(6),
      String(m.taps).padStart(4),
      m.minTap.padStart(8),
      m.minLineHeight.toFixed(2).padStart(5),
      m.minContrast.toFixed(2).padStart(6),
      kinds.map((k) => String(k).padStart(3)).join(' '),
    ].join(' │ ');
  });
  const head = [
    'page'.padEnd(26),
    '≥18px'.padStart(7),
    'min px',
    'taps'.padStart(4),
    'min tap'.padStart(8),
    '  lh ',
    ' cntr ',
    'fnt tap  lh con pop',
  ].join(' │ ');
  return [`关怀模式 measurements, ${mode} mode (375-wide h5, CSS px)`, head, ...rows].join('\n');
}

async function measureAll(mode: Mode) {
  let account = '';
  for (const { route, account: needed } of allPages()) {
    if (needed !== account) {
      await loginAs(h5, needed);
      account = needed;
    }
    await open(route);
    const m = await h5.page.evaluate(measureInPage, RULES);
    await h5.shot(`a11y-${mode}-${route.replace(/\//g, '_')}.png`, true);
    expect({ route, measured: m.texts > 0 }).toEqual({ route, measured: true }); // the page drew something to measure
    results[mode].push({ route, m });
  }
}

test('normal mode: every page measured (reported, not enforced)', async () => {
  await measureAll('normal');
  console.log(table('normal'));
  expect(results.normal).toHaveLength(allPages().length);
}, 600_000);

test('the home page offers 关怀模式 at first launch, inline, and remembers the answer', async () => {
  await loginAs(h5, 'citizen');
  const offer = h5.page.locator('.elder-offer:visible');
  await offer.waitFor();
  await h5.shot('a11y-elder-offer.png');
  await offer.locator('.elder-offer__on').click();
  await h5.page.locator('.home-page.elder').waitFor();
  expect(await h5.page.locator('.elder-offer').count()).toBe(0);
  // answered once: not offered again after a reload
  await h5.page.reload();
  await h5.page.locator('.home-page.elder').waitFor();
  expect(await h5.page.locator('.elder-offer').count()).toBe(0);
});

test('elderly mode: every page meets the 适老化 rules', async () => {
  await measureAll('elder');
  console.log(table('elder'));
  const failures = results.elder
    .filter(({ m }) => m.findings.length > 0)
    .map(({ route, m }) => `${route}:\n${m.findings.map((f) => `  ${f.kind}: ${f.what} ${f.value}`).join('\n')}`);
  expect(failures).toEqual([]);
  expect(results.elder).toHaveLength(allPages().length);
  // every page really was in elderly mode
  expect(results.elder.every(({ m }) => m.minFont >= RULES.minFontPx - 0.05)).toBe(true);
}, 600_000);

test('in elderly mode a message shows inline and stays until dismissed, instead of a toast', async () => {
  await loginAs(h5, 'citizen');
  await h5.page.goto(`${h5.url}/#/pages/me/index`);
  await h5.page.locator('.me-page.elder').waitFor();
  await h5.page.locator('.logout-button:visible').click();
  await h5.page.locator('.taro-model__confirm:visible').click(); // the user asked: a confirm is no interruption
  await h5.page.waitForURL(/#\/pages\/login\/index/);
  // the login page on top (Taro keeps the one visited before under it)
  const notice = h5.page.locator('.login-page .screen-notice:visible').last();
  await notice.waitFor();
  expect(await notice.textContent()).toContain('已退出登录');
  expect(await h5.page.locator('.taro__toast:visible').count()).toBe(0);
  await h5.shot('a11y-elder-notice.png');
  await notice.locator('.screen-notice__close').click();
  await notice.waitFor({ state: 'hidden' });
});
