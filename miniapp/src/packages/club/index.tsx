import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import type { ClubSummary } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import { clubApi } from './api';
import { detailUrl, DISTRICT_OPTIONS, SPORT_OPTIONS, sportZh, yuan } from './lib';
import './club.scss';

/** 社团目录: search by name, filter by sport and district; approved clubs only. */
export default function ClubDirectoryPage() {
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  const [sport, setSport] = useState<string | null>(null);
  const [district, setDistrict] = useState<string | null>(null);
  const list = usePagedList<ClubSummary>(
    (cursor, limit) => clubApi.directory({ q: q || undefined, sport: sport ?? undefined, district: district ?? undefined, cursor, limit }),
    [q, sport, district],
  );

  return (
    <Screen className="club-directory">
      <View className="club-search">
        <Input
          className="club-search__input club-search-input"
          value={typed}
          placeholder="搜索社团名称"
          confirmType="search"
          onInput={(e) => setTyped(e.detail.value)}
          onConfirm={() => setQ(typed.trim())}
        />
        <View className="club-button club-button--small club-search-button" onClick={() => setQ(typed.trim())}>
          搜索
        </View>
      </View>
      <View className="club-chips">
        <View className={`club-chips__chip${sport === null ? ' club-chips__chip--current' : ''}`} onClick={() => setSport(null)}>
          全部项目
        </View>
        {SPORT_OPTIONS.map((s) => (
          <View
            key={s.key}
            className={`club-chips__chip club-sport--${s.key}${sport === s.key ? ' club-chips__chip--current' : ''}`}
            onClick={() => setSport(s.key)}
          >
            {s.label}
          </View>
        ))}
      </View>
      <View className="club-chips">
        <View className={`club-chips__chip${district === null ? ' club-chips__chip--current' : ''}`} onClick={() => setDistrict(null)}>
          全市
        </View>
        {DISTRICT_OPTIONS.map((d) => (
          <View key={d} className={`club-chips__chip${district === d ? ' club-chips__chip--current' : ''}`} onClick={() => setDistrict(d)}>
            {d}
          </View>
        ))}
      </View>
      <View className="club-actions">
        <View
          className="club-button club-button--ghost club-mine-link"
          onClick={() => void Taro.navigateTo({ url: '/packages/club/mine' })}
        >
          我的社团
        </View>
        <View className="club-button club-apply-link" onClick={() => void Taro.navigateTo({ url: '/packages/club/apply' })}>
          申请成立社团
        </View>
      </View>
      <LoadView
        load={list.load}
        name="clubs"
        errorText="社团加载失败"
        emptyText="没有找到社团"
        emptyHint="换个项目或区域试试"
        onRetry={() => void list.reload()}
      />
      {list.items.map((c) => (
        <View key={c.id} className="club-card club-item" onClick={() => void Taro.navigateTo({ url: detailUrl(c.id) })}>
          <View className="club-card__head">
            <Text className="club-card__name club-item__name">{c.name}</Text>
            <Text className="club-tag">{sportZh(c.sport)}</Text>
          </View>
          <Text className="club-card__meta">
            {c.district} · {c.members} 名会员 · 会费 {yuan(c.duesFen)}
            {c.openJoin ? ' · 自由加入' : ' · 审核加入'}
          </Text>
          <Text className="club-card__desc">{c.purpose}</Text>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="club-more" name="clubs" />
      ) : null}
    </Screen>
  );
}
