import { useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { eventsApi } from '../../api/events';
import './results.scss';

/** Public results: the whole list by chip time, or one runner by bib or full name (names shown masked). */
export default function ResultsPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const { load, reload } = useLoad(() => eventsApi.results(id, query), [id, query]);
  return (
    <Screen className="results-page">
      <View className="results-search">
        <Input
          className="results-search__input"
          value={q}
          maxlength={30}
          placeholder="输入号码布或完整姓名"
          onInput={(e) => setQ(e.detail.value)}
        />
        <Button type="primary" className="results-search__go" onClick={() => setQuery(q.trim())}>
          查询
        </Button>
      </View>
      <LoadView
        load={load}
        name="results"
        errorText="成绩加载失败"
        emptyText={query ? '没有找到该选手的成绩' : '成绩尚未公布'}
        onRetry={() => void reload()}
      />
      {load.state === 'ready'
        ? load.data.items.map((r) => (
            <View key={r.bib} className="cs-card result-row">
              <View className="result-row__rank">{r.rankOverall}</View>
              <View className="result-row__body">
                <Text className="result-row__name">
                  {r.name} · {r.bib}
                </Text>
                <Text className="result-row__meta">
                  {r.groupName} 第{r.rankGroup}名 · {r.gender === 'M' ? '男子' : '女子'}第{r.rankGender}名
                </Text>
              </View>
              <View className="result-row__times">
                <Text className="result-row__chip">{r.chipTime}</Text>
                <Text className="result-row__gun">枪声 {r.gunTime}</Text>
              </View>
            </View>
          ))
        : null}
    </Screen>
  );
}
