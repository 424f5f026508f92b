import { useCallback, useEffect, useMemo, useState } from 'react';
import type { OfflinePack } from '@citysport/shared';
import { staffApi } from '../../api/gate';
import { errorMessageZh } from '../../api/errors';
import { checkOffline } from './offline';
import { isNetworkError, networkOutcome, offlineOutcome, rejectedOutcome, type Outcome } from './outcome';
import type { SyncReport, Today } from './GateCards';
import {
  deviceId as getDeviceId,
  markUsed,
  newNonce,
  readOfflineSwitch,
  readPack,
  readQueue,
  readUsed,
  writeOfflineSwitch,
  writePack,
  putScan,
  dropScans,
  writeVenueChoice,
  type QueuedScan,
} from './store';
import { notify } from '../../stores/elder';

/**
 * The gate of one venue: online verification with one same-nonce retry, offline checking against the
 * downloaded pack (automatically when the network fails), the upload queue, and today's counts.
 */
export function useGate(venueId: string, venueName: (id: string) => string | undefined) {
  const [offline, setOffline] = useState<boolean>(() => readOfflineSwitch());
  const [pack, setPack] = useState<OfflinePack | null>(null);
  const [queue, setQueue] = useState<QueuedScan[]>([]);
  const [today, setToday] = useState<Today | null>(null);
  const [busy, setBusy] = useState(false);
  const [packBusy, setPackBusy] = useState(false);
  const [syncBusy, setSyncBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [syncReport, setSyncReport] = useState<SyncReport | null>(null);
  const device = useMemo(() => getDeviceId(), []);

  const fetchToday = useCallback(async (vid: string) => {
    try {
      setToday(await staffApi.today(vid, { toast: false }));
    } catch {
      /* counts are a convenience; offline they stay as they were */
    }
  }, []);

  useEffect(() => {
    if (!venueId) return;
    writeVenueChoice(venueId);
    setPack(readPack(venueId));
    setQueue(readQueue(venueId));
    setSyncReport(null);
    setToday(null);
    void fetchToday(venueId);
  }, [venueId, fetchToday]);

  const downloadPack = async (): Promise<OfflinePack | null> => {
    if (!venueId) return null;
    setPackBusy(true);
    try {
      const p = await staffApi.offlinePack(venueId, { toast: false });
      writePack(p);
      setPack(p);
      notify('离线包已更新');
      return p;
    } catch (e) {
      notify(`离线包下载失败：${errorMessageZh(e)}`, 2500);
      return null;
    } finally {
      setPackBusy(false);
    }
  };

  const setOfflineMode = (on: boolean) => {
    setOffline(on);
    writeOfflineSwitch(on);
  };

  const verifyOffline = (code: string, nonce: string, scannedAt: string, p: OfflinePack, auto: boolean) => {
    const used = readUsed(venueId);
    const check = checkOffline(code, p, new Set(Object.keys(used)), new Date(scannedAt));
    const ticketId = check.fields?.ticketId ?? null;
    // anything signed goes up to the server, so its counts and duplicate checks see it
    if (check.fields) {
      const scan: QueuedScan = { code: code.trim(), nonce, scannedAt, deviceId: device, result: check.result, ticketId };
      setQueue(putScan(venueId, scan));
    }
    if (check.result === 'admitted' && ticketId) markUsed(venueId, ticketId, scannedAt);
    setOutcome(offlineOutcome(check.result, check.fields, ticketId ? used[ticketId] : undefined, scannedAt, auto));
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
        notify('请先下载离线包');
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
          setOfflineMode(true);
          verifyOffline(code, nonce, scannedAt, p, true);
        } else setOutcome(networkOutcome(scannedAt));
        return;
      }
      setOutcome(rejectedOutcome(e, { venueId, device, venueName }, scannedAt));
      void fetchToday(venueId);
    } finally {
      setBusy(false);
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
        setQueue(dropScans(venueId, done));
      }
      setSyncReport({ uploaded, duplicates, at: new Date().toISOString() });
      void fetchToday(venueId);
      notify(duplicates ? `已上传，重复入场 ${duplicates} 人` : '已全部上传', 2500);
    } catch (e) {
      notify(`上传失败：${errorMessageZh(e)}`, 2500);
    } finally {
      setSyncBusy(false);
    }
  };

  /** the switch: on downloads a pack when there is none; off uploads what was checked offline */
  const switchOffline = async (on: boolean) => {
    setOfflineMode(on);
    if (on && !pack) await downloadPack();
    if (!on && readQueue(venueId).length) await sync();
  };

  return {
    offline,
    pack,
    queue,
    today,
    busy,
    packBusy,
    syncBusy,
    outcome,
    syncReport,
    handleCode,
    downloadPack,
    switchOffline,
    sync,
    clearOutcome: () => setOutcome(null),
  };
}
