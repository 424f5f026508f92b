import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { Sport } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { isApiError } from '../../api/errors';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { FEE_BADGE_LABELS_ZH, priceLine } from '@citysport/shared';
import { rulesSummary, sportLabel, venueSports } from '../../utils/booking';
import { param } from '../../utils/params';
import LiveOccupancy from './LiveOccupancy';
import TargetReviews from '../../components/ReviewList/TargetReviews';
import './index.scss';

export default function VenuePage() {
  const { params } = useRouter();
  const id = param(params.id);
  // a venue that does not exist (or went offline) is the empty state, not an error
  const {
    load,
    data: venue,
    reload,
  } = useLoad(
    async () => {
      if (!id) return null;
      try {
        return (await api.venue(id, { toast: false })).venue;
      } catch (e) {
        if (isApiError(e) && e.status === 404) return null;
        throw e;
      }
    },
    [id],
    { isEmpty: (v) => v === null, pullToRefresh: true },
  );

  const book = (sport?: Sport) => {
    if (!venue) return;
    const s = sport ?? venueSports(venue)[0];
    const q = `venueId=${encodeURIComponent(venue.id)}${s ? `&sport=${s}` : ''}`;
    void Taro.navigateTo({ url: `/packages/booking/slots?${q}` });
  };

  const call = (phone: string) => {
    if (IS_H5) return;
    void Taro.makePhoneCall({ phoneNumber: phone.replace(/[^\d+]/g, '') }).catch(() => undefined);
  };

  if (!venue) {
    return (
      <Screen className="venue-detail-page">
        <LoadView
          load={load}
          name="venue-detail"
          errorText="场馆信息加载失败"
          emptyText="场馆不存在或已下线"
          emptyHint="请返回场馆列表重新选择"
          onRetry={() => void reload()}
        />
      </Screen>
    );
  }

  const sports = venueSports(venue);
  const { openHours } = venue;

  return (
    <Screen className="venue-detail-page with-bottom-bar">
      <View className="vd-head cs-card">
        <View className="vd-head__top">
          <Text className="vd-head__name venue-detail__name">{venue.name}</Text>
          {venue.feeBadge ? <Text className="vd-badge venue-detail__free">{FEE_BADGE_LABELS_ZH[venue.feeBadge]}</Text> : null}
        </View>
        <View className="vd-head__addr venue-detail__address">
          <Text className="vd-head__district">{venue.district}</Text>
          <Text>{venue.address}</Text>
        </View>
        <View className="vd-rows">
          <View className="vd-row venue-detail__hours">
            <Text className="vd-row__label">开放时间</Text>
            <Text className="vd-row__value">
              {openHours.open}–{openHours.close}
              {openHours.note ? `（${openHours.note}）` : ''}
            </Text>
          </View>
          <View className="vd-row">
            <Text className="vd-row__label">价格</Text>
            <View className="vd-row__value vd-prices venue-detail__prices">
              {(venue.prices ?? []).map((p) => (
                <Text key={p.sport} className="vd-price-line">
                  {priceLine(p)}
                </Text>
              ))}
            </View>
          </View>
          <LiveOccupancy venueId={venue.id} />
          {venue.contactPhone ? (
            <View className="vd-row vd-row--tap venue-detail__phone" onClick={() => call(venue.contactPhone)}>
              <Text className="vd-row__label">联系电话</Text>
              <Text className="vd-row__value vd-phone">{venue.contactPhone}</Text>
              {!IS_H5 ? <Text className="vd-row__action">拨打</Text> : null}
            </View>
          ) : null}
        </View>
      </View>

      {venue.feeBadge || venue.freeHoursNote ? (
        <View className="vd-free cs-card venue-detail__free-note">
          <Text className="vd-free__title">公益开放</Text>
          <Text className="vd-free__text">{venue.freeHoursNote || '本场馆符合公共体育场馆免费或低收费开放要求'}</Text>
        </View>
      ) : null}

      <View className="vd-section cs-card venue-detail__sports">
        <Text className="vd-section__title">可预订项目</Text>
        <View className="vd-chips">
          {sports.map((s) => (
            <View key={s} className={`vd-sport venue-detail__sport venue-detail__sport--${s}`} onClick={() => book(s)}>
              <Text>{sportLabel(s)}</Text>
              <Text className="vd-sport__count">{venue.resources.filter((r) => r.sport === s).length}个场地 ›</Text>
            </View>
          ))}
        </View>
      </View>

      <View className="vd-section cs-card venue-detail__rules">
        <Text className="vd-section__title">预订须知</Text>
        {rulesSummary(venue.rules).map((line) => (
          <View key={line} className="vd-rule venue-detail__rule">
            <View className="vd-rule__dot" />
            <Text className="vd-rule__text">{line}</Text>
          </View>
        ))}
      </View>

      {venue.facilities.length ? (
        <View className="vd-section cs-card venue-detail__facilities">
          <Text className="vd-section__title">场馆设施</Text>
          <View className="vd-chips">
            {venue.facilities.map((f) => (
              <Text key={f} className="vd-facility">
                {f}
              </Text>
            ))}
          </View>
        </View>
      ) : null}

      {venue.intro ? (
        <View className="vd-section cs-card venue-detail__intro">
          <Text className="vd-section__title">场馆介绍</Text>
          <Text className="vd-intro">{venue.intro}</Text>
        </View>
      ) : null}

      <TargetReviews kind="venue" id={venue.id} block="venue-reviews" sectionClass="vd-section cs-card" titleClass="vd-section__title" />

      <View className="bottom-bar">
        <Button
          className="bottom-bar__main venue-book-button"
          type="primary"
          size="large"
          block
          disabled={!sports.length}
          onClick={() => book()}
        >
          {sports.length ? '预订场地' : '暂无可预订场地'}
        </Button>
      </View>
    </Screen>
  );
}
