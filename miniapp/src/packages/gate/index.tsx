import { useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatShanghai, type GateDevice, type GateDirection } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { gateApi } from './api';
import './index.scss';

const offlineText = (d: GateDevice) => {
  if (d.status === 'pairing') return '待配对';
  if (d.status === 'revoked') return '已停用';
  if (d.offlineSeconds === null) return '未上线';
  if (d.offlineSeconds < 120) return '在线';
  const m = Math.floor(d.offlineSeconds / 60);
  return m < 60 ? `离线 ${m} 分钟` : `离线 ${Math.floor(m / 60)} 小时 ${m % 60} 分钟`;
};

/** The venue manager's gates: devices with last heartbeat, offline time and pending uploads; pairing; 实时人数. */
export default function GateDevicesPage() {
  const { params } = useRouter();
  const venueId = param(params.venueId);
  const [name, setName] = useState('');
  const [gate, setGate] = useState('');
  const [direction, setDirection] = useState<GateDirection>('in');
  const [pairing, setPairing] = useState<{ code: string; until: string } | null>(null);
  const { load, data, reload } = useLoad(
    async () => {
      const [devices, occupancy] = await Promise.all([gateApi.devices(venueId), gateApi.occupancy(venueId)]);
      return { devices: devices.items, occupancy };
    },
    [venueId],
    { pullToRefresh: true },
  );

  const register = async () => {
    if (!name.trim() || !gate.trim()) return;
    const res = await gateApi.register(venueId, { name: name.trim(), gate: gate.trim(), direction });
    setPairing({ code: res.pairingCode, until: formatShanghai(res.pairingExpiresAt, 'HH:mm') });
    setName('');
    setGate('');
    await reload();
  };
  const revoke = async (d: GateDevice) => {
    await gateApi.revoke(venueId, d.id);
    await reload();
  };

  return (
    <Screen className="gate-page">
      {!data ? (
        <LoadView load={load} name="gate-devices" errorText="闸机信息加载失败" onRetry={() => void reload()} />
      ) : (
        <>
          <View className="gate-card gate-occupancy" aria-label="实时人数">
            <Text className="gate-card__title">实时人数</Text>
            <Text className="gate-occupancy__figure">
              {data.occupancy.inside}
              {data.occupancy.capacity !== null ? <Text className="gate-occupancy__cap"> / {data.occupancy.capacity}</Text> : null}
            </Text>
            <Text className="gate-muted">{data.occupancy.capacity === null ? '未设置容量' : '进出闸机计数'}</Text>
          </View>

          <View className="gate-card">
            <Text className="gate-card__title">添加闸机</Text>
            <Input
              className="gate-input"
              placeholder="设备名称，如 1号闸机"
              value={name}
              onInput={(e) => setName(e.detail.value)}
              maxlength={40}
            />
            <Input
              className="gate-input"
              placeholder="位置，如 东门"
              value={gate}
              onInput={(e) => setGate(e.detail.value)}
              maxlength={40}
            />
            <View className="gate-seg">
              {(['in', 'out'] as const).map((d) => (
                <View
                  key={d}
                  className={`gate-seg__item ${direction === d ? 'gate-seg__item--on' : ''}`}
                  role="button"
                  onClick={() => setDirection(d)}
                >
                  {d === 'in' ? '入口' : '出口'}
                </View>
              ))}
            </View>
            <Button className="gate-register" type="primary" block onClick={() => void register()}>
              生成配对码
            </Button>
            {pairing ? (
              <View className="gate-pairing" role="status">
                <Text className="gate-muted">在闸机上输入配对码（{pairing.until} 前有效，仅可使用一次）</Text>
                <Text className="gate-pairing__code">{pairing.code}</Text>
              </View>
            ) : null}
          </View>

          <View className="gate-card">
            <Text className="gate-card__title">闸机列表</Text>
            {data.devices.length === 0 ? <Text className="gate-muted">还没有闸机</Text> : null}
            {data.devices.map((d) => (
              <View key={d.id} className="gate-device">
                <View className="gate-device__main">
                  <Text className="gate-device__name">
                    {d.gate} · {d.name}（{d.direction === 'in' ? '入口' : '出口'}）
                  </Text>
                  <Text className={`gate-device__state ${d.status === 'active' && (d.offlineSeconds ?? 0) < 120 ? 'is-ok' : 'is-warn'}`}>
                    {offlineText(d)}
                  </Text>
                  <Text className="gate-muted">
                    最近心跳 {d.lastHeartbeatAt ? formatShanghai(d.lastHeartbeatAt, 'HH:mm:ss') : '—'} · 待上传 {d.pendingUploads} ·
                    重复入场 {d.doubleAdmissions}
                  </Text>
                </View>
                {d.status !== 'revoked' ? (
                  <Button size="small" type="danger" fill="outline" onClick={() => void revoke(d)}>
                    停用
                  </Button>
                ) : null}
              </View>
            ))}
          </View>
        </>
      )}
    </Screen>
  );
}
