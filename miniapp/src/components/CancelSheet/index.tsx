import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatPrice, type Booking, type CancelQuote } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh } from '../../api/errors';
import { notify } from '../../stores/elder';
import { dayTitle, timeRange } from '../../utils/time';
import Sheet from '../Sheet';
import './index.scss';

const VOUCHER_FATE_ZH: Record<CancelQuote['voucher'], string> = {
  none: '本单未使用消费券',
  returned: '使用的消费券将退回账户',
  kept_used: '部分取消不退回消费券',
};

interface Part {
  key: string;
  label: string;
  /** undefined: the whole booking */
  slotIds?: string[];
}

/** The whole booking, or one end of a multi-hour one (the server cancels a part from the start or the end). */
export function cancelParts(b: Booking): Part[] {
  const n = b.slotIds.length;
  const parts: Part[] = [{ key: 'all', label: `全部取消 ${timeRange(b.startAt, b.endAt)}` }];
  if (n < 2) return parts;
  const start = Date.parse(b.startAt);
  const step = (Date.parse(b.endAt) - start) / n;
  const at = (i: number) => new Date(start + i * step).toISOString();
  for (let k = 1; k < n; k++) {
    parts.push({ key: `last-${k}`, label: `取消后 ${k} 小时 ${timeRange(at(n - k), b.endAt)}`, slotIds: b.slotIds.slice(n - k) });
    parts.push({ key: `first-${k}`, label: `取消前 ${k} 小时 ${timeRange(b.startAt, at(k))}`, slotIds: b.slotIds.slice(0, k) });
  }
  return parts;
}

/**
 * 取消预订 — the one cancel flow of 我的预订 and 我的订单 (issue 10 item 6): what comes back (what
 * was paid after vouchers, by the refund rule), the voucher's fate and when the money arrives,
 * quoted by the server for the part chosen; a multi-hour booking can give back one end.
 */
export default function CancelSheet({
  bookingId,
  onClose,
  onDone,
}: {
  /** the booking to cancel; null: closed */
  bookingId: string | null;
  onClose: () => void;
  onDone: (booking: Booking) => void;
}) {
  const [booking, setBooking] = useState<Booking | null>(null);
  const [part, setPart] = useState('all');
  const [quote, setQuote] = useState<CancelQuote | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setBooking(null);
    setPart('all');
    setError(null);
    setBusy(false);
    if (!bookingId) return;
    api
      .booking(bookingId, { toast: false })
      .then((r) => setBooking(r.booking))
      .catch((e) => setError(errorMessageZh(e)));
  }, [bookingId]);

  const parts = booking ? cancelParts(booking) : [];
  const chosen = parts.find((p) => p.key === part) ?? parts[0];

  useEffect(() => {
    setQuote(null);
    if (!booking || !chosen) return;
    let live = true;
    api
      .cancelQuote(booking.id, { toast: false, slotIds: chosen.slotIds })
      .then((r) => live && setQuote(r.quote))
      .catch((e) => live && setError(errorMessageZh(e)));
    return () => {
      live = false;
    };
  }, [booking?.id, chosen?.key]);

  const submit = async () => {
    if (!booking || !chosen || busy) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.cancelBooking(booking.id, undefined, { toast: false, slotIds: chosen.slotIds });
      notify(quote && quote.refundFen > 0 ? `已取消，${formatPrice(quote.refundFen)} ${quote.arrives}` : '已取消预订', 2500);
      onDone(res.booking);
    } catch (e) {
      setBusy(false);
      setError(errorMessageZh(e));
    }
  };

  return (
    <Sheet
      open={!!bookingId}
      title="取消预订"
      className="cancel-sheet"
      onClose={() => (busy ? undefined : onClose())}
      footer={
        <Button className="cancel-submit" type="danger" block loading={busy} disabled={!quote} onClick={() => void submit()}>
          {quote && quote.refundFen > 0 ? `确认取消，退 ${formatPrice(quote.refundFen)}` : '确认取消'}
        </Button>
      }
    >
      {booking ? (
        <View>
          <Text className="cancel-sheet__lead">
            {booking.venueName} · {booking.resourceName}
            {'\n'}
            {dayTitle(booking.day)} {timeRange(booking.startAt, booking.endAt)}
          </Text>
          {parts.length > 1 ? (
            <View className="cancel-sheet__parts">
              {parts.map((p) => (
                <View
                  key={p.key}
                  className={`cancel-part${p.key === chosen?.key ? ' cancel-part--current' : ''}`}
                  data-part={p.key}
                  onClick={() => setPart(p.key)}
                >
                  <Text>{p.label}</Text>
                </View>
              ))}
            </View>
          ) : null}
          {quote ? (
            <View className="cancel-sheet__quote" data-refund={quote.refundFen}>
              <View className="cancel-sheet__row">
                <Text>退款金额</Text>
                <Text className="cancel-refund">{formatPrice(quote.refundFen)}</Text>
              </View>
              {quote.paidFen > 0 ? (
                <View className="cancel-sheet__row">
                  <Text>本单实付</Text>
                  <Text className="cancel-paid">{formatPrice(quote.paidFen)}</Text>
                </View>
              ) : null}
              <View className="cancel-sheet__row">
                <Text>消费券</Text>
                <Text className="cancel-voucher">{VOUCHER_FATE_ZH[quote.voucher]}</Text>
              </View>
              <View className="cancel-sheet__row cancel-sheet__row--stack">
                <Text>到账时间</Text>
                <Text className="cancel-arrives">{quote.arrives}</Text>
              </View>
              {quote.partial ? <Text className="cancel-sheet__hint">取消的时段将释放给其他人，其余时段照常有效</Text> : null}
            </View>
          ) : error ? null : (
            <Text className="cancel-sheet__hint">正在计算退款金额…</Text>
          )}
        </View>
      ) : null}
      {error ? <Text className="cancel-sheet__error">{error}</Text> : null}
    </Sheet>
  );
}
