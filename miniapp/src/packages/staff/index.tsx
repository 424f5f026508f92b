import { useCallback, useEffect, useMemo, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, Textarea, View } from '@tarojs/components';
import { Button, Switch } from '@nutui/nutui-react-taro';
import { VERIFICATION_RESULT_OF_ERROR, formatShanghai, type OfflinePack, type Ticket } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError, NETWORK_ERROR } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn, loadMe, sessionStore } from '../../stores/session';
import { sportLabel } from '../../utils/booking';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { staffApi } from '../../api/gate';
import { checkOffline, type OfflineResult } from './offline';
import {
  deviceId as getDeviceId,
  markUsed,
  newNonce,
  readOfflineSwitch,
  readPack,
  readQueue,
  readUsed,
  readVenueChoice,
  writeOfflineSwitch,
  writePack,
  writeQueue,
  writeVenueChoice,
  type QueuedScan,
} from './store';
import './index.scss';

const SELF = '/packages/staff/index';

interface GateVenue {
  id: string;
  name: string;
}

type Access = { state: 'loading' } | { state: 'none' } | { state: 'error'; message: string } | { state: 'ready'; venues: GateVenue[] };

interface Today {
  admitted: number;
  rejected: number;
  duplicates: number;
}

/** what the full-screen result shows */
interface Outcome {
  admitted: boolean;
  /** the verification result (VERIFICATION_RESULTS) or an error code */
  code: string;
  title: string;
  reason?: string;
  hint?: string;
  ticket?: Ticket;
  /** offline admission: only what the signed code says */
  window?: string;
  offline: boolean;
  /** the network failed and the gate fell back to offline checking for this scan */
  autoOffline?: boolean;
  at: string;
}

const REJECT_ZH: Record<Exclude<OfflineResult, 'admitted'>, { reason: string; hint: string }> = {
  already_used: { reason: '已核销', hint: '该票券已入场，不能重复使用' },
  not_for_this_venue: { reason: '非本场馆票券', hint: '请核对场馆名称' },
  not_yet_open: { reason: '未到入场时间', hint: '开场前30分钟可入场' },
  expired: { reason: '已过期', hint: '二维码已过期或场次已结束；请对方刷新二维码后重试' },
  revoked: { reason: '已取消', hint: '该预订已取消或已退款' },
  invalid: { reason: '无效票券', hint: '不是本系统的入场码，或二维码已被篡改' },
};

const ERROR_TO_RESULT: Record<string, Exclude<OfflineResult, 'admitted'>> = {
  ...VERIFICATION_RESULT_OF_ERROR,
  TICKET_NOT_FOUND: 'invalid',
  VALIDATION_FAILED: 'invalid',
};

const isNetworkError = (e: unknown) => isApiError(e) && e.code === NETWORK_ERROR;
const shortTime = (iso: string) => formatShanghai(iso, 'M月D日 HH:mm:ss');

function staffVenueIds(): string[] {
  const s = sessionStore.get();
  const grants = s.me?.grants ?? s.user?.grants ?? [];
  return [...new Set(grants.filter((g) => g.role === 'staff' && g.scope).map((g) => g.scope as string))];
}

export default function StaffPage() {
  const [access, setAccess] = useState<Access>({ state: 'loading' });
  const [venueId, setVenueId] = useState<string>(() => readVenueChoice() ?? '');
  const [offline, setOffline] = useState<boolean>(() => readOfflineSwitch());
  const [pack, setPack] = useState<OfflinePack | null>(null);
  const [queue, setQueue] = useState<QueuedScan[]>([]);
  const [today, setToday] = useState<Today | null>(null);
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const [packBusy, setPackBusy] = useState(false);
  const [syncBusy, setSyncBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [syncReport, setSyncReport] = useState<{ uploaded: number; duplicates: number; at: string } | null>(null);
  const device = useMemo(() => getDeviceId(), []);

  const fetchAccess = useCallback(async () => {
    setAccess({ state: 'loading' });
    if (!(await ensureLoggedIn(SELF))) return;
    try {
      await loadMe(false);
    } catch {
      /* offline at the gate: the grants of the stored session will do */
    }
    const ids = staffVenueIds();
    if (!ids.length) {
      setAccess({ state: 'none' });
      return;
    }
    const venues = await Promise.all(
      ids.map(async (id) => {
        try {
          const { venue } = await api.venue(id, { toast: false });
          return { id, name: venue.name };
        } catch {
          return { id, name: readPack(id) ? `场馆（离线）…${id.slice(-4)}` : `场馆 …${id.slice(-4)}` };
        }
      }),
    );
    setAccess({ state: 'ready', venues });
    setVenueId((cur) => (cur && ids.includes(cur) ? cur : ids[0]));
  }, []);

  useEffect(() => {
    void fetchAccess();
  }, [fetchAccess]);

  const fetchToday = useCallback(async (vid: string) => {
    try {
      setToday(await staffApi.today(vid, { toast: false }));
    } catch {
      /* counts are a convenience; offline they stay as they were */
    }
  }, []);

  useEffect(() => {
    if (access.state !== 'ready' || !venueId) return;
    writeVenueChoice(venueId);
    setPack(readPack(venueId));
    setQueue(readQueue(venueId));
    setSyncReport(null);
    setToday(null);
    void fetchToday(venueId);
  }, [access.state, venueId, fetchToday]);

  const venueName = (id: string) => (access.state === 'ready' ? access.venues.find((v) => v.id === id)?.name : undefined);

  const downloadPack = async (): Promise<OfflinePack | null> => {
    if (!venueId) return null;
    setPackBusy(true);
    try {
      const p = await staffApi.offlinePack(venueId, { toast: false });
      writePack(p);
      setPack(p);
      void Taro.showToast({ title: '离线包已更新', icon: 'success' });
      return p;
    } catch (e) {
      void Taro.showToast({ title: `离线包下载失败：${errorMessageZh(e)}`, icon: 'none', duration: 2500 });
      return null;
    } finally {
      setPackBusy(false);
    }
  };

  const switchOffline = async (on: boolean) => {
    setOffline(on);
    writeOfflineSwitch(on);
    if (on && !pack) await downloadPack();
  };

  const enqueue = (scan: QueuedScan) => {
    const next = [...readQueue(venueId).filter((s) => s.nonce !== scan.nonce), scan];
    writeQueue(venueId, next);
    setQueue(next);
  };

  const verifyOffline = (code: string, nonce: string, scannedAt: string, p: OfflinePack, auto: boolean) => {
    const used = readUsed(venueId);
    const check = checkOffline(code, p, new Set(Object.keys(used)), new Date(scannedAt));
    const ticketId = check.fields?.ticketId ?? null;
    // anything signed goes up to the server, so its counts and duplicate checks see it
    if (check.fields) enqueue({ code: code.trim(), nonce, scannedAt, deviceId: device, result: check.result, ticketId });
    if (check.result === 'admitted' && ticketId) markUsed(venueId, ticketId, scannedAt);
    const window = check.fields
      ? `${formatShanghai(check.fields.validFromMin * 60_000, 'M月D日 HH:mm')}–${formatShanghai(check.fields.validToMin * 60_000, 'HH:mm')} 可入场`
      : undefined;
    if (check.result === 'admitted') {
      setOutcome({ admitted: true, code: 'admitted', title: '允许入场', window, offline: true, autoOffline: auto, at: scannedAt });
    } else {
      const zh = REJECT_ZH[check.result];
      const usedAt = ticketId ? used[ticketId] : undefined;
      setOutcome({
        admitted: false,
        code: check.result,
        title: '禁止入场',
        reason: zh.reason,
        hint: check.result === 'already_used' && usedAt ? `本机已于 ${shortTime(usedAt)} 核销` : zh.hint,
        window,
        offline: true,
        autoOffline: auto,
        at: scannedAt,
      });
    }
  };

  const verifyOnline = async (code: string, nonce: string) => {
    const body = { code: code.trim(), venueId, nonce, deviceId: device };
    try {
      return await staffApi.verify(body, { toast: false });
    } catch (e) {
      // one retry with the SAME nonce: if the first request did reach the server it answers the first result
      if (isNetworkError(e)) return staffApi.verify(body, { toast: false });
      throw e;
    }
  };

  const handleCode = async (raw: string) => {
    const code = raw.trim();
    if (!code || !venueId || busy) return;
    const nonce = newNonce();
    const scannedAt = new Date().toISOString();
    if (offline) {
      const p = pack ?? readPack(venueId);
      if (!p) {
        void Taro.showToast({ title: '请先下载离线包', icon: 'none' });
        return;
      }
      verifyOffline(code, nonce, scannedAt, p, false);
      return;
    }
    setBusy(true);
    try {
      const res = await verifyOnline(code, nonce);
      markUsed(venueId, res.ticket.id, res.verifiedAt);
      setOutcome({ admitted: true, code: 'admitted', title: '允许入场', ticket: res.ticket, offline: false, at: res.verifiedAt });
      void fetchToday(venueId);
    } catch (e) {
      if (isNetworkError(e)) {
        const p = pack ?? readPack(venueId);
        if (p) {
          setOffline(true);
          writeOfflineSwitch(true);
          verifyOffline(code, nonce, scannedAt, p, true);
        } else {
          setOutcome({
            admitted: false,
            code: NETWORK_ERROR,
            title: '未能核验',
            reason: '网络异常',
            hint: '请检查网络后重试；网络不稳定时请先下载离线包',
            offline: false,
            at: scannedAt,
          });
        }
        return;
      }
      const mapped = isApiError(e) ? ERROR_TO_RESULT[e.code] : undefined;
      let hint = mapped ? REJECT_ZH[mapped].hint : errorMessageZh(e);
      let reason = mapped ? REJECT_ZH[mapped].reason : '无法核验';
      if (isApiError(e) && e.code === 'TICKET_ALREADY_USED') {
        const d = (e.details ?? {}) as { usedAt?: unknown; venueId?: unknown; deviceId?: unknown };
        const where = typeof d.venueId === 'string' ? (venueName(d.venueId) ?? (d.venueId === venueId ? '本场馆' : '其他场馆')) : '';
        const gate = typeof d.deviceId === 'string' && d.deviceId ? (d.deviceId === device ? '（本机）' : `（设备 ${d.deviceId}）`) : '';
        hint = typeof d.usedAt === 'string' ? `已于 ${shortTime(d.usedAt)} 在 ${where || '本场馆'}${gate} 核销` : hint;
      }
      if (isApiError(e) && e.code === 'FORBIDDEN') {
        reason = '无核验权限';
        hint = '您不是本场馆的核验员';
      }
      setOutcome({
        admitted: false,
        code: mapped ?? (isApiError(e) ? e.code : 'UNKNOWN'),
        title: '禁止入场',
        reason,
        hint,
        offline: false,
        at: scannedAt,
      });
      void fetchToday(venueId);
    } finally {
      setBusy(false);
    }
  };

  const scan = async () => {
    if (IS_H5) {
      await handleCode(input);
      return;
    }
    try {
      const r = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
      await handleCode(r.result);
    } catch {
      /* the user closed the camera */
    }
  };

  const sync = async () => {
    const pending = readQueue(venueId);
    if (!pending.length || syncBusy) return;
    setSyncBusy(true);
    try {
      let duplicates = 0;
      let uploaded = 0;
      for (let i = 0; i < pending.length; i += 500) {
        const batch = pending.slice(i, i + 500);
        const res = await staffApi.sync(
          { venueId, scans: batch.map((s) => ({ code: s.code, nonce: s.nonce, scannedAt: s.scannedAt, deviceId: s.deviceId })) },
          { toast: false },
        );
        const done = new Set(res.items.map((x) => x.nonce));
        duplicates += res.items.filter((x) => x.duplicate).length;
        uploaded += done.size;
        const left = readQueue(venueId).filter((s) => !done.has(s.nonce));
        writeQueue(venueId, left);
        setQueue(left);
      }
      setSyncReport({ uploaded, duplicates, at: new Date().toISOString() });
      void fetchToday(venueId);
      void Taro.showToast({ title: duplicates ? `已上传，重复入场 ${duplicates} 人` : '已全部上传', icon: 'none', duration: 2500 });
    } catch (e) {
      void Taro.showToast({ title: `上传失败：${errorMessageZh(e)}`, icon: 'none', duration: 2500 });
    } finally {
      setSyncBusy(false);
    }
  };

  const goOnline = async () => {
    setOffline(false);
    writeOfflineSwitch(false);
    if (readQueue(venueId).length) await sync();
  };

  if (access.state === 'loading') {
    return (
      <Screen className="staff-page page-staff">
        <SkeletonList className="staff-loading" count={2} />
      </Screen>
    );
  }
  if (access.state === 'error') {
    return (
      <Screen className="staff-page page-staff">
        <ErrorState className="staff-error" text="加载失败" hint={access.message} onRetry={() => void fetchAccess()} />
      </Screen>
    );
  }
  if (access.state === 'none') {
    return (
      <Screen className="staff-page page-staff">
        <EmptyState className="staff-forbidden" text="您还不是场馆核验员" hint="请联系场馆管理员开通核验权限" />
      </Screen>
    );
  }

  const pendingCount = queue.length;
  const t = outcome?.ticket;

  return (
    <Screen className={`staff-page page-staff${offline ? ' staff-page--offline' : ''}`}>
      {access.venues.length > 1 ? (
        <View className="staff-venues">
          {access.venues.map((v) => (
            <View
              key={v.id}
              className={`staff-venue-chip${v.id === venueId ? ' staff-venue-chip--active' : ''}`}
              data-id={v.id}
              onClick={() => setVenueId(v.id)}
            >
              <Text>{v.name}</Text>
            </View>
          ))}
        </View>
      ) : null}
      <View className="staff-gate cs-card">
        <Text className="staff-gate__label">当前核验场馆</Text>
        <Text className="staff-gate__venue staff-venue-name">{venueName(venueId) ?? ''}</Text>
        {offline ? (
          <View className="staff-offline-banner">
            <Text className="staff-offline-banner__title">离线模式</Text>
            <Text className="staff-offline-banner__note">
              本机核验，待上传 <Text className="staff-pending-count">{pendingCount}</Text> 条
            </Text>
          </View>
        ) : null}
      </View>

      <View className="staff-scan cs-card">
        {IS_H5 ? (
          <Textarea
            className="staff-code-input"
            value={input}
            placeholder="粘贴或输入入场码（CS1. 开头）"
            maxlength={400}
            onInput={(e) => setInput(e.detail.value)}
          />
        ) : null}
        <Button className="staff-scan-button" type="primary" size="large" block loading={busy} onClick={() => void scan()}>
          {IS_H5 ? '核验' : '扫码核验'}
        </Button>
      </View>

      <View className="staff-today cs-card">
        <Text className="staff-section-title">今日核验</Text>
        <View className="staff-today__row">
          <View className="staff-today__cell">
            <Text className="staff-today__num staff-today__admitted">{today ? today.admitted : '—'}</Text>
            <Text className="staff-today__label">已入场</Text>
          </View>
          <View className="staff-today__cell">
            <Text className="staff-today__num staff-today__rejected">{today ? today.rejected : '—'}</Text>
            <Text className="staff-today__label">已拒绝</Text>
          </View>
          <View className="staff-today__cell">
            <Text className="staff-today__num staff-today__duplicates">{today ? today.duplicates : '—'}</Text>
            <Text className="staff-today__label">重复入场</Text>
          </View>
        </View>
        {offline ? <Text className="staff-today__note">离线期间的核验上传后计入</Text> : null}
      </View>

      <View className="staff-offline cs-card">
        <View className="staff-offline__row">
          <View className="staff-offline__main">
            <Text className="staff-section-title">离线核验</Text>
            <Text className="staff-offline__desc">网络不好时打开，本机验证二维码，联网后上传</Text>
          </View>
          <Switch
            className="staff-offline-switch"
            checked={offline}
            onChange={(v: boolean) => void (v ? switchOffline(true) : goOnline())}
          />
        </View>
        <View className="staff-pack">
          <Text className="staff-pack-info">
            {pack
              ? `离线包：${formatShanghai(pack.generatedAt, 'M月D日 HH:mm')} 下载，已取消票券 ${pack.revoked.length} 张`
              : '尚未下载离线包'}
          </Text>
          <Button className="staff-pack-download" size="small" fill="outline" loading={packBusy} onClick={() => void downloadPack()}>
            {pack ? '更新离线包' : '下载离线包'}
          </Button>
        </View>
        {pendingCount || syncReport ? (
          <View className="staff-sync">
            <Text className="staff-sync__pending">
              待上传 <Text className="staff-sync__count">{pendingCount}</Text> 条
            </Text>
            <Button
              className="staff-sync-button"
              size="small"
              type="primary"
              disabled={!pendingCount}
              loading={syncBusy}
              onClick={() => void sync()}
            >
              上传
            </Button>
          </View>
        ) : null}
        {syncReport ? (
          <View className={`staff-sync-result${syncReport.duplicates ? ' staff-sync-result--warn' : ''}`}>
            <Text>
              {formatShanghai(syncReport.at, 'HH:mm')} 已上传 {syncReport.uploaded} 条
            </Text>
            {syncReport.duplicates ? <Text className="staff-sync-duplicates">离线重复入场 {syncReport.duplicates} 人</Text> : null}
          </View>
        ) : null}
      </View>

      {outcome ? (
        <View className={`verify-result verify-result--${outcome.admitted ? 'admitted' : 'rejected'}`} data-code={outcome.code} catchMove>
          <View className="verify-result__icon">{outcome.admitted ? '✓' : '✕'}</View>
          <Text className="verify-result__title">{outcome.title}</Text>
          {outcome.reason ? <Text className="verify-result__reason">{outcome.reason}</Text> : null}
          {outcome.hint ? <Text className="verify-result__hint">{outcome.hint}</Text> : null}
          {t ? (
            <View className="verify-result__ticket">
              <Text className="verify-result__holder">{t.holderName}</Text>
              <Text className="verify-result__resource">
                {t.resourceName} · {sportLabel(t.sport)} · 第{t.seat}人
              </Text>
              <Text className="verify-result__time">
                {dayTitle(dayOf(t.startAt))} {timeRange(t.startAt, t.endAt)}
              </Text>
            </View>
          ) : null}
          {!t && outcome.window ? <Text className="verify-result__window">{outcome.window}</Text> : null}
          {outcome.offline ? (
            <Text className={`verify-result__offline${outcome.autoOffline ? ' verify-result__offline--auto' : ''}`}>
              {outcome.autoOffline ? '网络异常，已自动切换离线核验' : '离线核验 · 联网后请上传'}
            </Text>
          ) : null}
          <Text className="verify-result__at">核验时间 {shortTime(outcome.at)}</Text>
          <Button
            className="verify-result-next"
            size="large"
            onClick={() => {
              setOutcome(null);
              setInput('');
            }}
          >
            继续核验
          </Button>
        </View>
      ) : null}
    </Screen>
  );
}
