import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { INSTRUCTOR_LEVEL_LABELS_ZH, type InstructorActivity } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { buildUrl } from '../../api/client';
import { IS_H5 } from '../../api/config';
import { guidanceApi } from '../../api/guidance';
import '../../styles/guidance.scss';

/** Admin: instructors' activity for a year, ranked within each district; xlsx export. */
export default function ActivityRankingPage() {
  const thisYear = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
  const [year, setYear] = useState(thisYear);
  const activity = useLoad(() => guidanceApi.activity({ year }), [year], { login: '/packages/guidance/ranking' });
  const byDistrict = new Map<string, InstructorActivity[]>();
  for (const it of activity.data?.items ?? []) byDistrict.set(it.district, [...(byDistrict.get(it.district) ?? []), it]);
  const exportXlsx = () => {
    const url = buildUrl('/admin/instructors/activity', { year, format: 'xlsx' });
    if (IS_H5) void Taro.setClipboardData({ data: url });
    else void Taro.downloadFile({ url }).then((r) => Taro.openDocument({ filePath: r.tempFilePath, fileType: 'xlsx' }));
  };
  return (
    <Screen className="guidance-ranking-page">
      <View className="gd-filters">
        {[thisYear - 1, thisYear].map((y) => (
          <Text key={y} className={`gd-chip${y === year ? ' gd-chip--on' : ''}`} onClick={() => setYear(y)}>
            {y}年
          </Text>
        ))}
        <Text className="gd-chip gd-export" onClick={exportXlsx}>
          导出Excel
        </Text>
      </View>
      <LoadView load={activity.load} name="gd-ranking" errorText="加载失败" emptyText="暂无指导员" onRetry={() => void activity.reload()} />
      {[...byDistrict.entries()].map(([district, items]) => (
        <View key={district} className="gd-section">
          <Text className="gd-district">{district}</Text>
          {items.map((it) => (
            <View key={it.instructorId} className="gd-rank">
              <Text className="gd-rank__no">{it.rankInDistrict}</Text>
              <View className="gd-rank__main">
                <Text className="gd-rank__name">
                  {it.name} · {INSTRUCTOR_LEVEL_LABELS_ZH[it.level]}
                </Text>
                <Text className="gd-rank__meta">
                  完成{it.delivered}场 · {it.hours}小时 · 服务{it.peopleServed}人 · 评分{it.rating ?? '—'} · 未履约{it.notDelivered}
                </Text>
              </View>
              <View className="gd-rank__side">
                <Text
                  className={`gd-rank__met${it.thresholdMet === false ? ' gd-rank__met--no' : it.thresholdMet === null ? ' gd-rank__met--unknown' : ''}`}
                >
                  {it.thresholdMet === null
                    ? '无法判定'
                    : it.thresholdMet
                      ? '达标'
                      : it.threshold !== null
                        ? `未达标(${it.delivered}/${it.threshold})`
                        : '未达标'}
                </Text>
                <Text className="gd-rank__rule">{it.thresholdRule}</Text>
              </View>
            </View>
          ))}
        </View>
      ))}
    </Screen>
  );
}
