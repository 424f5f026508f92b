import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { OccupancySchema, type Occupancy } from '@citysport/shared';
import { request } from '../../api/client';

/** 实时人数 (issue 16): people inside, counted by the venue's gates; shown only where the venue counts them. */
export default function LiveOccupancy({ venueId }: { venueId: string }) {
  const [occ, setOcc] = useState<Occupancy | null>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      request({ path: `/venues/${venueId}/occupancy`, schema: OccupancySchema, auth: false, toast: false })
        .then((o) => live && setOcc(o))
        .catch(() => undefined);
    void read();
    const t = setInterval(() => void read(), 60_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [venueId]);
  if (!occ || occ.capacity === null) return null;
  return (
    <View className="vd-row venue-detail__occupancy" aria-label="实时人数">
      <Text className="vd-row__label">实时人数</Text>
      <Text className="vd-row__value">
        {occ.inside} / {occ.capacity}
        {occ.inside >= occ.capacity ? '（已满）' : ''}
      </Text>
    </View>
  );
}
