import { Text, View } from '@tarojs/components';
import { FEE_BADGE_LABELS_ZH, priceLine, type VenueSummary } from '@citysport/shared';
import { distanceText, priceText, sportLabel } from './format';
import './index.scss';

interface VenueCardProps {
  venue: VenueSummary;
  onOpen: (venue: VenueSummary) => void;
  /** 导航: one tap to the map (Taro.openLocation; h5: the address and 高德) */
  onNavigate?: (venue: VenueSummary) => void;
}

export default function VenueCard({ venue, onOpen, onNavigate }: VenueCardProps) {
  const { openHours } = venue;
  return (
    <View className="venue-card" data-id={venue.id} onClick={() => onOpen(venue)}>
      <View className="venue-card__head">
        <Text className="venue-card__name">{venue.name}</Text>
        {venue.feeBadge ? <Text className="venue-card__badge venue-card__free">{FEE_BADGE_LABELS_ZH[venue.feeBadge]}</Text> : null}
      </View>
      <View className="venue-card__meta">
        <Text className="venue-card__district">{venue.district}</Text>
        <Text className="venue-card__address">{venue.address}</Text>
      </View>
      <View className="venue-card__sports">
        {venue.sports.map((s) => (
          <Text key={s} className={`venue-card__sport venue-card__sport--${s}`}>
            {sportLabel(s)}
          </Text>
        ))}
      </View>
      {venue.prices?.length ? (
        <View className="venue-card__prices">
          {venue.prices.map((p) => (
            <Text key={p.sport} className="venue-card__price-line">
              {priceLine(p)}
            </Text>
          ))}
        </View>
      ) : null}
      <View className="venue-card__foot">
        <Text className="venue-card__hours">
          开放时间 {openHours.open}–{openHours.close}
          {openHours.note ? `（${openHours.note}）` : ''}
        </Text>
        <View className="venue-card__right">
          {venue.distanceKm !== undefined ? <Text className="venue-card__distance">{distanceText(venue.distanceKm)}</Text> : null}
          {onNavigate ? (
            <View
              className="venue-card__nav"
              role="button"
              aria-label={`导航到${venue.name}`}
              onClick={(e) => {
                e.stopPropagation();
                onNavigate(venue);
              }}
            >
              导航
            </View>
          ) : null}
          {venue.prices?.length ? null : (
            <Text className={`venue-card__price${venue.minPriceFen === 0 ? ' venue-card__price--free' : ''}`}>
              {priceText(venue.minPriceFen)}
            </Text>
          )}
        </View>
      </View>
    </View>
  );
}
