import { useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import { api } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import Tabs from '../../components/Tabs';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { sessionStore } from '../../stores/session';
import { param } from '../../utils/params';
import DayPanel from './DayPanel';
import RulesPanel from './RulesPanel';
import BansPanel from './BansPanel';
import ReviewsPanel from './ReviewsPanel';
import { Forbidden } from './shared';
import './index.scss';
import { notify } from '../../stores/elder';

const SELF = '/packages/manage/index';

type Section = 'day' | 'rules' | 'bans' | 'reviews';

const SECTIONS: { key: Section; label: string }[] = [
  { key: 'day', label: '当日预订' },
  { key: 'rules', label: '预订规则' },
  { key: 'bans', label: '爽约名单' },
  { key: 'reviews', label: '用户评价' },
];

export default function ManagePage() {
  const { params } = useRouter();
  const [venueId, setVenueId] = useState<string>(() => param(params.venueId));
  const [section, setSection] = useState<Section>(() =>
    ['day', 'rules', 'bans', 'reviews'].includes(param(params.tab)) ? (param(params.tab) as Section) : 'day',
  );

  const access = useLoad(
    async () => {
      const { items } = await api.manage.venues({ toast: false });
      // the API answers 200 with no venues for users who manage none: that is 无权限 too
      const roles = sessionStore.get().me?.roles ?? sessionStore.get().user?.roles ?? [];
      if (!items.length && !roles.includes('venue_manager') && !roles.includes('admin'))
        throw new ApiError('FORBIDDEN', 403, 'manages no venue');
      return items;
    },
    [],
    { login: SELF },
  );
  const venues = access.data ?? [];
  const current = venues.find((v) => v.id === venueId) ?? venues[0];
  const venueLoad = useLoad(async () => (await api.venue(current?.id ?? '', { toast: false })).venue, [current?.id], {
    enabled: !!current,
  });

  if (!current) {
    return (
      <Screen className="manage-page">
        {isForbidden(access.load) ? (
          <Forbidden />
        ) : (
          <LoadView
            load={access.load}
            name="manage"
            errorText="管理信息加载失败"
            emptyText="您还没有可管理的场馆"
            emptyHint="请联系体育局管理员为您分配场馆"
            onRetry={() => void access.reload()}
          />
        )}
      </Screen>
    );
  }

  return (
    <Screen className="manage-page">
      <View className="manage-head cs-card">
        {venues.length > 1 ? (
          <ScrollView className="manage-venues" scrollX enhanced showScrollbar={false}>
            <Tabs
              items={venues.map((v) => ({ key: v.id, label: v.name }))}
              value={current.id}
              onChange={setVenueId}
              className="manage-venues__inner"
              itemClass="manage-venue-chip"
              currentSuffix="active"
            />
          </ScrollView>
        ) : null}
        <Text className="manage-head__name manage-venue-name">{current.name}</Text>
        <Text className="manage-head__addr">
          {current.district} · {current.address}
        </Text>
        <Tabs
          items={SECTIONS}
          value={section}
          onChange={setSection}
          className="manage-sections"
          itemClass="manage-section-tab"
          currentSuffix="active"
        />
      </View>

      {isForbidden(venueLoad.load) ? (
        <Forbidden />
      ) : (
        <LoadView load={venueLoad.load} name="manage" count={2} errorText="场馆信息加载失败" onRetry={() => void venueLoad.reload()} />
      )}
      {venueLoad.data && venueLoad.data.id === current.id ? (
        <>
          {section === 'day' ? <DayPanel venue={venueLoad.data} /> : null}
          {section === 'rules' ? (
            <RulesPanel
              venue={venueLoad.data}
              onSaved={(venue) => {
                venueLoad.update(() => venue);
                notify('规则已保存');
              }}
            />
          ) : null}
          {section === 'bans' ? <BansPanel venue={venueLoad.data} /> : null}
          {section === 'reviews' ? <ReviewsPanel venue={venueLoad.data} /> : null}
        </>
      ) : null}
    </Screen>
  );
}
