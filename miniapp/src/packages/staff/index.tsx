import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { api } from '../../api/endpoints';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { loadMe, sessionStore } from '../../stores/session';
import Tabs from '../../components/Tabs';
import { OfflineCard, TodayCard } from './GateCards';
import VerifyResult from './VerifyResult';
import { useGate } from './useGate';
import { readPack, readVenueChoice } from './store';
import './index.scss';

const SELF = '/packages/staff/index';

interface GateVenue {
  id: string;
  name: string;
}

function staffVenueIds(): string[] {
  const s = sessionStore.get();
  const grants = s.me?.grants ?? s.user?.grants ?? [];
  return [...new Set(grants.filter((g) => g.role === 'staff' && g.scope).map((g) => g.scope as string))];
}

/** the venues this user verifies at; offline, the stored session's grants and packs will do */
async function gateVenues(): Promise<GateVenue[]> {
  try {
    await loadMe(false);
  } catch {
    /* offline at the gate: the grants of the stored session will do */
  }
  return Promise.all(
    staffVenueIds().map(async (id) => {
      try {
        const { venue } = await api.venue(id, { toast: false });
        return { id, name: venue.name };
      } catch {
        return { id, name: readPack(id) ? `场馆（离线）…${id.slice(-4)}` : `场馆 …${id.slice(-4)}` };
      }
    }),
  );
}

export default function StaffPage() {
  const access = useLoad(gateVenues, [], { login: SELF });
  const venues = access.data ?? [];
  const [chosen, setChosen] = useState<string>(() => readVenueChoice() ?? '');
  const venueId = venues.some((v) => v.id === chosen) ? chosen : (venues[0]?.id ?? '');
  const venueName = (id: string) => venues.find((v) => v.id === id)?.name;
  const gate = useGate(venueId, venueName);
  const [input, setInput] = useState('');
  const [digits, setDigits] = useState('');

  if (!venues.length) {
    return (
      <Screen className="staff-page page-staff">
        <LoadView
          load={access.load}
          name="staff"
          count={2}
          errorText="加载失败"
          onRetry={() => void access.reload()}
          emptyText="您还不是场馆核验员"
          emptyClassName="staff-forbidden"
          emptyHint="请联系场馆管理员开通核验权限"
        />
      </Screen>
    );
  }

  const scan = async () => {
    if (IS_H5) {
      await gate.handleCode(input);
      return;
    }
    try {
      const r = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
      await gate.handleCode(r.result);
    } catch {
      /* the user closed the camera */
    }
  };

  return (
    <Screen className={`staff-page page-staff${gate.offline ? ' staff-page--offline' : ''}`}>
      {venues.length > 1 ? (
        <Tabs
          items={venues.map((v) => ({ key: v.id, label: v.name }))}
          value={venueId}
          onChange={setChosen}
          className="staff-venues"
          itemClass="staff-venue-chip"
          currentSuffix="active"
        />
      ) : null}
      <View className="staff-gate cs-card">
        <Text className="staff-gate__label">当前核验场馆</Text>
        <Text className="staff-gate__venue staff-venue-name">{venueName(venueId) ?? ''}</Text>
        {gate.offline ? (
          <View className="staff-offline-banner">
            <Text className="staff-offline-banner__title">离线模式</Text>
            <Text className="staff-offline-banner__note">
              本机核验，待上传 <Text className="staff-pending-count">{gate.queue.length}</Text> 条
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
        <Button className="staff-scan-button" type="primary" size="large" block loading={gate.busy} onClick={() => void scan()}>
          {IS_H5 ? '核验' : '扫码核验'}
        </Button>
      </View>

      <View className="staff-short cs-card">
        <Text className="staff-short__label">无法扫码时，输入市民票券下方的 8 位数字码</Text>
        <View className="staff-short__row">
          <Input
            className="staff-short-input"
            type="number"
            value={digits}
            maxlength={8}
            placeholder="8 位数字"
            onInput={(e) => setDigits(e.detail.value.replace(/\D/g, ''))}
          />
          <Button
            className="staff-short-button"
            type="primary"
            size="large"
            disabled={!/^\d{6,8}$/.test(digits) || gate.offline}
            loading={gate.busy}
            onClick={() => void gate.handleCode(digits)}
          >
            核验数字码
          </Button>
        </View>
        {gate.offline ? <Text className="staff-short__note">离线模式下请扫码（数字码需联网核验）</Text> : null}
      </View>

      <TodayCard today={gate.today} offline={gate.offline} />
      <OfflineCard
        offline={gate.offline}
        onSwitch={(on) => void gate.switchOffline(on)}
        pack={gate.pack}
        packBusy={gate.packBusy}
        onDownload={() => void gate.downloadPack()}
        pendingCount={gate.queue.length}
        syncBusy={gate.syncBusy}
        onSync={() => void gate.sync()}
        syncReport={gate.syncReport}
      />

      {gate.outcome ? (
        <VerifyResult
          outcome={gate.outcome}
          onNext={() => {
            gate.clearOutcome();
            setInput('');
            setDigits('');
          }}
        />
      ) : null}
    </Screen>
  );
}
