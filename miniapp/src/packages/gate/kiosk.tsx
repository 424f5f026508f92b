import { useEffect, useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { formatPrice, formatShanghai, type WalkupProduct } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import QrCode from '../../components/QrCode';
import { gateApi } from './api';
import './kiosk.scss';

const hours = (min: number) => (min % 60 === 0 ? `${min / 60} 小时` : `${min} 分钟`);

/**
 * The kiosk at the entrance (自助售票, h5, large type): pick a ticket for now, pay by scanning the
 * WeChat Pay Native code shown on the screen; 实时人数 at the top. Also opened from the static
 * entrance QR code (?venueId=…) in the mini-program, where the same page lists the tickets.
 */
export default function KioskPage() {
  const { params } = useRouter();
  const venueId = param(params.venueId);
  const [paying, setPaying] = useState<{ product: WalkupProduct; codeUrl: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { load, data, reload } = useLoad(async () => {
    const [products, occupancy] = await Promise.all([gateApi.products(venueId), gateApi.occupancy(venueId)]);
    return { products: products.items, occupancy };
  }, [venueId]);
  // the live count refreshes while the kiosk stands there
  useEffect(() => {
    const t = setTimeout(() => void reload(), 30_000);
    return () => clearTimeout(t);
  }, [data, reload]);

  const buy = async (p: WalkupProduct) => {
    setError(null);
    try {
      const res = await gateApi.buy(venueId, p.id, true);
      if (res.native) setPaying({ product: p, codeUrl: res.native.codeUrl, expiresAt: res.native.expiresAt });
    } catch {
      setError('购票失败，请稍后重试或联系工作人员');
    }
  };

  const full = data && data.occupancy.capacity !== null && data.occupancy.inside >= data.occupancy.capacity;
  return (
    <Screen className="kiosk-page">
      {!data ? (
        <LoadView load={load} name="kiosk" errorText="售票信息加载失败" onRetry={() => void reload()} />
      ) : (
        <>
          <View className="kiosk-live" aria-label="实时人数">
            <Text className="kiosk-live__label">实时人数</Text>
            <Text className="kiosk-live__figure">
              {data.occupancy.inside}
              {data.occupancy.capacity !== null ? ` / ${data.occupancy.capacity}` : ''}
            </Text>
            {full ? <Text className="kiosk-live__full">人数已满，请稍候</Text> : null}
          </View>
          {error ? (
            <View className="kiosk-error" role="alert">
              {error}
            </View>
          ) : null}
          {paying ? (
            <View className="kiosk-pay">
              <Text className="kiosk-pay__title">
                {paying.product.name} · {formatPrice(paying.product.priceFen)}
              </Text>
              <Text className="kiosk-pay__hint">请用微信扫码支付</Text>
              <QrCode text={paying.codeUrl} className="kiosk-pay__qr" />
              <Text className="kiosk-pay__hint">{formatShanghai(paying.expiresAt, 'HH:mm')} 前有效，支付后即可入场</Text>
              <View className="kiosk-btn kiosk-btn--ghost" role="button" onClick={() => setPaying(null)}>
                返回
              </View>
            </View>
          ) : (
            <View className="kiosk-products">
              <Text className="kiosk-title">现在入场</Text>
              {data.products.length === 0 ? <Text className="kiosk-muted">暂无可售票种</Text> : null}
              {data.products.map((p) => (
                <View
                  key={p.id}
                  className={`kiosk-product ${p.remaining <= 0 ? 'kiosk-product--off' : ''}`}
                  role="button"
                  aria-label={`${p.name} ${formatPrice(p.priceFen)}`}
                  onClick={() => (p.remaining > 0 ? void buy(p) : undefined)}
                >
                  <Text className="kiosk-product__name">{p.name}</Text>
                  <Text className="kiosk-product__meta">
                    {hours(p.durationMinutes)} · 今日余 {p.remaining}
                  </Text>
                  <Text className="kiosk-product__price">{p.remaining > 0 ? formatPrice(p.priceFen) : '已售完'}</Text>
                </View>
              ))}
            </View>
          )}
        </>
      )}
    </Screen>
  );
}
