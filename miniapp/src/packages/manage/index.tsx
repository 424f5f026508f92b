import { useCallback, useEffect, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { ScrollView, Text, View } from '@tarojs/components';
import type { VenueDetail, VenueSummary } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import Screen from '../../components/Screen';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn, sessionStore } from '../../stores/session';
import { param } from '../../utils/params';
import DayPanel from './DayPanel';
import RulesPanel from './RulesPanel';
import BansPanel from './BansPanel';
import { Forbidden } from './shared';
import './index.scss';

const SELF = '/packages/manage/index';

type Access =
  { state: 'loading' } | { state: 'forbidden' } | { state: 'error'; message: string } | { state: 'ready'; venues: VenueSummary[] };
type VenueLoad =
  { state: 'loading' } | { state: 'forbidden' } | { state: 'error'; message: string } | { state: 'ready'; venue: VenueDetail };
type Section = 'day' | 'rules' | 'bans';

const SECTIONS: { key: Section; label: string }[] = [
  { key: 'day', label: '当日预订' },
  { key: 'rules', label: '预订规则' },
  { key: 'bans', label: '爽约名单' },
];

export default function ManagePage() {
  const { params } = useRouter();
  const [access, setAccess] = useState<Access>({ state: 'loading' });
  const [venueId, setVenueId] = useState<string>(() => param(params.venueId));
  const [venueLoad, setVenueLoad] = useState<VenueLoad>({ state: 'loading' });
  const [section, setSection] = useState<Section>(() =>
    ['day', 'rules', 'bans'].includes(param(params.tab)) ? (param(params.tab) as Section) : 'day',
  );

  const fetchVenues = useCallback(async () => {
    setAccess({ state: 'loading' });
    if (!(await ensureLoggedIn(SELF))) return;
    try {
      const { items } = await api.manage.venues({ toast: false });
      // the API answers 200 with no venues for users who manage none: that is 无权限 too
      const roles = sessionStore.get().me?.roles ?? sessionStore.get().user?.roles ?? [];
      if (!items.length && !roles.includes('venue_manager') && !roles.includes('admin')) {
        setAccess({ state: 'forbidden' });
        return;
      }
      setAccess({ state: 'ready', venues: items });
      setVenueId((cur) => (cur && items.some((v) => v.id === cur) ? cur : (items[0]?.id ?? '')));
    } catch (e) {
      if (isApiError(e) && e.status === 403) setAccess({ state: 'forbidden' });
      else setAccess({ state: 'error', message: errorMessageZh(e) });
    }
  }, []);

  useEffect(() => {
    void fetchVenues();
  }, [fetchVenues]);

  const fetchVenue = useCallback(async () => {
    if (!venueId) return;
    setVenueLoad({ state: 'loading' });
    try {
      const { venue } = await api.venue(venueId, { toast: false });
      setVenueLoad({ state: 'ready', venue });
    } catch (e) {
      if (isApiError(e) && e.status === 403) setVenueLoad({ state: 'forbidden' });
      else setVenueLoad({ state: 'error', message: errorMessageZh(e) });
    }
  }, [venueId]);

  useEffect(() => {
    if (access.state === 'ready') void fetchVenue();
  }, [access.state, fetchVenue]);

  if (access.state === 'loading') {
    return (
      <Screen className="manage-page">
        <SkeletonList className="manage-loading" count={3} />
      </Screen>
    );
  }
  if (access.state === 'forbidden') {
    return (
      <Screen className="manage-page">
        <Forbidden />
      </Screen>
    );
  }
  if (access.state === 'error') {
    return (
      <Screen className="manage-page">
        <ErrorState className="manage-error" text="管理信息加载失败" hint={access.message} onRetry={() => void fetchVenues()} />
      </Screen>
    );
  }
  if (!access.venues.length) {
    return (
      <Screen className="manage-page">
        <EmptyState className="manage-empty" text="您还没有可管理的场馆" hint="请联系体育局管理员为您分配场馆" />
      </Screen>
    );
  }

  const current = access.venues.find((v) => v.id === venueId) ?? access.venues[0];

  return (
    <Screen className="manage-page">
      <View className="manage-head cs-card">
        {access.venues.length > 1 ? (
          <ScrollView className="manage-venues" scrollX enhanced showScrollbar={false}>
            <View className="manage-venues__inner">
              {access.venues.map((v) => (
                <View
                  key={v.id}
                  className={`manage-venue-chip${v.id === current.id ? ' manage-venue-chip--active' : ''}`}
                  data-id={v.id}
                  onClick={() => {
                    if (v.id !== venueId) setVenueId(v.id);
                  }}
                >
                  {v.name}
                </View>
              ))}
            </View>
          </ScrollView>
        ) : null}
        <Text className="manage-head__name manage-venue-name">{current.name}</Text>
        <Text className="manage-head__addr">
          {current.district} · {current.address}
        </Text>
        <View className="manage-sections">
          {SECTIONS.map((s) => (
            <View
              key={s.key}
              className={`manage-section-tab manage-section-tab--${s.key}${s.key === section ? ' manage-section-tab--active' : ''}`}
              onClick={() => setSection(s.key)}
            >
              {s.label}
            </View>
          ))}
        </View>
      </View>

      {venueLoad.state === 'loading' ? <SkeletonList className="manage-loading" count={2} /> : null}
      {venueLoad.state === 'forbidden' ? <Forbidden /> : null}
      {venueLoad.state === 'error' ? (
        <ErrorState className="manage-error" text="场馆信息加载失败" hint={venueLoad.message} onRetry={() => void fetchVenue()} />
      ) : null}
      {venueLoad.state === 'ready' && venueLoad.venue.id === current.id ? (
        <>
          {section === 'day' ? <DayPanel venue={venueLoad.venue} /> : null}
          {section === 'rules' ? (
            <RulesPanel
              venue={venueLoad.venue}
              onSaved={(venue) => {
                setVenueLoad({ state: 'ready', venue });
                void Taro.showToast({ title: '规则已保存', icon: 'success' });
              }}
            />
          ) : null}
          {section === 'bans' ? <BansPanel venue={venueLoad.venue} /> : null}
        </>
      ) : null}
    </Screen>
  );
}
