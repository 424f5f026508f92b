import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { COMPLAINT_MAX_STARS, COMPLAINT_TAG, PROVIDER_KIND_LABELS_ZH } from '@citysport/shared';
import { reviewApi } from '../../api/reviews';
import { currentToken } from '../../api/client';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import Tabs from '../../components/Tabs';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import './admin.scss';

type Tab = 'providers' | 'citizens';
const TABS: { key: Tab; label: string }[] = [
  { key: 'providers', label: '服务方' },
  { key: 'citizens', label: '市民' },
];

/** 信用 (bureau admins): per provider review average, complaints, cancellations; per citizen no-shows and bans; Excel export. */
export default function CreditPage() {
  const [tab, setTab] = useState<Tab>('providers');
  const { load, data, reload } = useLoad(() => reviewApi.credit(), [], {
    login: '/packages/admin/credit',
    isEmpty: (d) => d.providers.length === 0 && d.citizens.length === 0,
  });

  const exportXlsx = async () => {
    try {
      const header = { Authorization: `Bearer ${currentToken() ?? ''}` };
      if (IS_H5) {
        const res = await fetch(reviewApi.creditXlsxUrl(), { headers: header });
        if (!res.ok) throw new Error(String(res.status));
        const a = document.createElement('a');
        a.href = URL.createObjectURL(await res.blob());
        a.download = '信用.xlsx';
        a.click();
      } else {
        const file = await Taro.downloadFile({ url: reviewApi.creditXlsxUrl(), header });
        await Taro.openDocument({ filePath: file.tempFilePath, fileType: 'xlsx', showMenu: true });
      }
    } catch {
      notify('导出失败，请稍后重试');
    }
  };

  return (
    <Screen className="credit-page">
      {isForbidden(load) ? <Text className="admin-forbidden">仅体育局管理员可查看信用</Text> : null}
      <Tabs items={TABS} value={tab} onChange={setTab} className="credit-tabs" itemClass="credit-tab" currentSuffix="active" />
      <Button className="credit-export" type="primary" fill="outline" block onClick={() => void exportXlsx()}>
        导出 Excel
      </Button>
      <LoadView load={load} name="credit" errorText="信用信息加载失败" emptyText="暂无信用记录" onRetry={() => void reload()} />
      {data && tab === 'providers' ? (
        <>
          <Text className="credit-note">
            投诉：{COMPLAINT_MAX_STARS}星及以下或标记“{COMPLAINT_TAG}
            ”的已公开评价；服务方取消：场馆取消的预订、社团取消的活动、未开展或取消的指导课。
          </Text>
          {data.providers.map((p) => (
            <View key={`${p.kind}:${p.id}`} className="credit-row credit-provider" data-id={p.id}>
              <View className="credit-row__head">
                <Text className="credit-row__name">{p.name || '—'}</Text>
                <Text className="credit-row__kind">{PROVIDER_KIND_LABELS_ZH[p.kind]}</Text>
              </View>
              <View className="credit-row__figures">
                <Text className="credit-row__figure">平均 {p.average === null ? '—' : `${p.average.toFixed(1)}星`}</Text>
                <Text className="credit-row__figure">评价 {p.reviewCount}</Text>
                <Text className={`credit-row__figure${p.complaints ? ' credit-row__figure--bad' : ''}`}>投诉 {p.complaints}</Text>
                <Text className={`credit-row__figure${p.cancellations ? ' credit-row__figure--bad' : ''}`}>取消 {p.cancellations}</Text>
              </View>
            </View>
          ))}
        </>
      ) : null}
      {data && tab === 'citizens' ? (
        <>
          <Text className="credit-note">有爽约或禁约记录的市民（昵称已脱敏）。禁约由各场馆的爽约规则自动产生。</Text>
          {data.citizens.length === 0 ? <Text className="credit-note">暂无爽约记录</Text> : null}
          {data.citizens.map((c) => (
            <View key={c.userId} className="credit-row credit-citizen">
              <View className="credit-row__head">
                <Text className="credit-row__name">{c.name}</Text>
                {c.activeBans ? <Text className="credit-row__kind">禁约中</Text> : null}
              </View>
              <View className="credit-row__figures">
                <Text className={`credit-row__figure${c.noShows ? ' credit-row__figure--bad' : ''}`}>爽约 {c.noShows}</Text>
                <Text className="credit-row__figure">禁约 {c.bans}</Text>
              </View>
            </View>
          ))}
        </>
      ) : null}
    </Screen>
  );
}
