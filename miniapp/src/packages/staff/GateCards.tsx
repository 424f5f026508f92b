import { Text, View } from '@tarojs/components';
import { Button, Switch } from '@nutui/nutui-react-taro';
import { formatShanghai, type OfflinePack } from '@citysport/shared';

export interface Today {
  admitted: number;
  rejected: number;
  duplicates: number;
}

/** 今日核验: admitted, rejected and duplicate counts of this venue today. */
export function TodayCard({ today, offline }: { today: Today | null; offline: boolean }) {
  const cells: [keyof Today, string][] = [
    ['admitted', '已入场'],
    ['rejected', '已拒绝'],
    ['duplicates', '重复入场'],
  ];
  return (
    <View className="staff-today cs-card">
      <Text className="staff-section-title">今日核验</Text>
      <View className="staff-today__row">
        {cells.map(([key, label]) => (
          <View key={key} className="staff-today__cell">
            <Text className={`staff-today__num staff-today__${key}`}>{today ? today[key] : '—'}</Text>
            <Text className="staff-today__label">{label}</Text>
          </View>
        ))}
      </View>
      {offline ? <Text className="staff-today__note">离线期间的核验上传后计入</Text> : null}
    </View>
  );
}

export interface SyncReport {
  uploaded: number;
  duplicates: number;
  at: string;
}

interface OfflineCardProps {
  offline: boolean;
  onSwitch: (on: boolean) => void;
  pack: OfflinePack | null;
  packBusy: boolean;
  onDownload: () => void;
  pendingCount: number;
  syncBusy: boolean;
  onSync: () => void;
  syncReport: SyncReport | null;
}

/** 离线核验: the switch, the offline pack, and the scans waiting to be uploaded. */
export function OfflineCard(p: OfflineCardProps) {
  return (
    <View className="staff-offline cs-card">
      <View className="staff-offline__row">
        <View className="staff-offline__main">
          <Text className="staff-section-title">离线核验</Text>
          <Text className="staff-offline__desc">网络不好时打开，本机验证二维码，联网后上传</Text>
        </View>
        <Switch className="staff-offline-switch" checked={p.offline} onChange={(v: boolean) => p.onSwitch(v)} />
      </View>
      <View className="staff-pack">
        <Text className="staff-pack-info">
          {p.pack
            ? `离线包：${formatShanghai(p.pack.generatedAt, 'M月D日 HH:mm')} 下载，已取消票券 ${p.pack.revoked.length} 张`
            : '尚未下载离线包'}
        </Text>
        <Button className="staff-pack-download" size="small" fill="outline" loading={p.packBusy} onClick={p.onDownload}>
          {p.pack ? '更新离线包' : '下载离线包'}
        </Button>
      </View>
      {p.pendingCount || p.syncReport ? (
        <View className="staff-sync">
          <Text className="staff-sync__pending">
            待上传 <Text className="staff-sync__count">{p.pendingCount}</Text> 条
          </Text>
          <Button
            className="staff-sync-button"
            size="small"
            type="primary"
            disabled={!p.pendingCount}
            loading={p.syncBusy}
            onClick={p.onSync}
          >
            上传
          </Button>
        </View>
      ) : null}
      {p.syncReport ? (
        <View className={`staff-sync-result${p.syncReport.duplicates ? ' staff-sync-result--warn' : ''}`}>
          <Text>
            {formatShanghai(p.syncReport.at, 'HH:mm')} 已上传 {p.syncReport.uploaded} 条
          </Text>
          {p.syncReport.duplicates ? <Text className="staff-sync-duplicates">离线重复入场 {p.syncReport.duplicates} 人</Text> : null}
        </View>
      ) : null}
    </View>
  );
}
