import { useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatPrice, type Booking, type Slot, type SubscribeTemplate } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { PageError, useLoad } from '../../hooks/useLoad';
import { MAX_PLACES, UNBOOKABLE_HINT, newIdempotencyKey, slotState } from '../../utils/booking';
import { param } from '../../utils/params';
import { useNow } from '../../utils/time';
import { askSubscribe, useSubscribeTemplates } from '../../utils/subscribe';
import { Companions, ConfirmNotes, ConfirmResult, ConfirmSummary } from './ConfirmParts';
import './confirm.scss';

/** a booking's reminder an hour before, and word if the venue cancels it */
const BOOKING_TEMPLATES: SubscribeTemplate[] = ['booking_reminder', 'booking_cancelled'];
const MINE_PAGE = '/packages/booking/mine';
/** errors after which the user has to pick other slots */
const RESELECT_CODES = ['SLOT_SOLD_OUT', 'SLOT_CLOSED', 'SLOT_STARTED', 'SLOT_NOT_RELEASED', 'SLOT_NOT_FOUND'];
const RESELECT = 'reselect';

interface SubmitError {
  details?: unknown;
  code: string;
  message: string;
}

function goMine() {
  void Taro.redirectTo({ url: MINE_PAGE }).catch(() => Taro.navigateTo({ url: MINE_PAGE }));
}

/** the rule a refused booking met, in words: '已达到每人每天最多2个预订的上限' (issue 10) */
const LIMIT_RULE_ZH: Record<string, string> = { 'per day': '每人每天', 'per week': '每人每周', 'per sport per week': '同一项目每周' };
function limitText(details: unknown): string {
  const over = (details as { limits?: { max: number; per: string }[] } | undefined)?.limits?.[0];
  return over ? `已达到${LIMIT_RULE_ZH[over.per] ?? ''}最多${over.max}个预订的上限，可换一天或取消已有预订` : '已达到预订上限';
}

export default function ConfirmPage() {
  const { params } = useRouter();
  const venueId = param(params.venueId);
  const date = param(params.date);
  const slotIds = useMemo(() => param(params.slotIds).split(',').filter(Boolean), [params.slotIds]);
  const quantity = Math.max(1, Math.min(MAX_PLACES, Number.parseInt(param(params.quantity), 10) || 1));

  useSubscribeTemplates(BOOKING_TEMPLATES);
  const [companions, setCompanions] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [error, setError] = useState<SubmitError | null>(null);
  // one key per visit: a retry after a network error returns the same booking
  const [idemKey] = useState(() => newIdempotencyKey());

  const selfUrl = `/packages/booking/confirm?venueId=${encodeURIComponent(venueId)}&date=${date}&slotIds=${slotIds.join(',')}&quantity=${quantity}`;
  const { load, data, reload } = useLoad(
    async () => {
      if (!venueId || !date || !slotIds.length) throw new PageError('预订信息不完整，请返回重新选择', RESELECT);
      const [{ venue }, { items }] = await Promise.all([
        api.venue(venueId, { toast: false }),
        api.slots(venueId, { date }, { toast: false }),
      ]);
      const picked = slotIds.map((id) => items.find((s) => s.id === id)).filter((s): s is Slot => !!s);
      if (picked.length !== slotIds.length) throw new PageError('所选时段已不存在，请返回重新选择', RESELECT);
      picked.sort((a, b) => a.startAt.localeCompare(b.startAt));
      return { venue, slots: picked };
    },
    [venueId, date, slotIds],
    { login: selfUrl, isEmpty: () => false },
  );

  const now = useNow(!!booking && booking.status === 'held');

  const back = () => {
    const pages = Taro.getCurrentPages();
    if (pages.length > 1) void Taro.navigateBack();
    else void Taro.redirectTo({ url: `/packages/booking/slots?venueId=${encodeURIComponent(venueId)}&date=${date}` });
  };

  if (!data) {
    const reselectLoad = load.state === 'error' && load.error instanceof PageError && load.error.reason === RESELECT;
    return (
      <Screen className="confirm-page">
        {reselectLoad ? (
          <View className="state-view confirm-invalid">
            <Text className="state-view__text">{load.message}</Text>
            <Button className="confirm-back" type="primary" onClick={back}>
              返回重新选择
            </Button>
          </View>
        ) : (
          <LoadView
            load={load}
            name="confirm"
            count={2}
            errorText="预订信息加载失败"
            errorClassName="confirm-load-error"
            onRetry={() => void reload()}
          />
        )}
      </Screen>
    );
  }

  const { venue, slots } = data;
  const totalFen = slots.reduce((s, x) => s + x.priceFen, 0) * quantity;
  const blocked = slots.map(slotState).find((st) => st.key !== 'open' && st.key !== 'few');
  const companionSlots = Math.min(quantity - 1, venue.rules.maxCompanions);
  const summary = <ConfirmSummary venue={venue} slots={slots} date={date} quantity={quantity} />;

  const submit = async () => {
    if (busy || blocked) return;
    setBusy(true);
    setError(null);
    // weapp: the subscribe dialog must come straight from the tap, before the booking request
    await askSubscribe(BOOKING_TEMPLATES);
    try {
      const names = companions
        .slice(0, companionSlots)
        .map((n) => n.trim())
        .filter(Boolean)
        .map((name) => ({ name }));
      const res = await api.createBooking({ slotIds: slots.map((s) => s.id), quantity, companions: names }, idemKey, { toast: false });
      setBooking(res.booking);
    } catch (e) {
      setError({ code: isApiError(e) ? e.code : 'UNKNOWN', message: errorMessageZh(e), details: isApiError(e) ? e.details : undefined });
    } finally {
      setBusy(false);
    }
  };

  if (booking) {
    return (
      <Screen className="confirm-page">
        <ConfirmResult booking={booking} now={now} onMine={goMine} />
        {summary}
      </Screen>
    );
  }

  const reselect = !!error && RESELECT_CODES.includes(error.code);

  return (
    <Screen className="confirm-page with-bottom-bar">
      {error ? (
        <View className="confirm-error cs-card" data-code={error.code}>
          <Text className="confirm-error__text">{error.code === 'BOOKING_LIMIT_REACHED' ? limitText(error.details) : error.message}</Text>
          {reselect ? (
            <Button className="confirm-back" type="primary" fill="outline" onClick={back}>
              返回重新选择
            </Button>
          ) : null}
          {error.code === 'BOOKING_LIMIT_REACHED' ? (
            <>
              <Button className="confirm-other-day" type="primary" onClick={back}>
                换一天
              </Button>
              <Button className="confirm-go-mine" type="primary" fill="outline" onClick={goMine}>
                查看我的预订
              </Button>
            </>
          ) : null}
        </View>
      ) : null}

      {summary}

      {blocked ? (
        <View className="confirm-warning confirm-blocked">
          <Text>{UNBOOKABLE_HINT[blocked.key as keyof typeof UNBOOKABLE_HINT]}，请返回重新选择</Text>
        </View>
      ) : null}

      <Companions count={companionSlots} names={companions} realName={venue.rules.companionRealName} onChange={setCompanions} />
      <ConfirmNotes venue={venue} date={date} startAt={slots[0].startAt} totalFen={totalFen} />

      <View className="bottom-bar confirm-bar">
        <View className="confirm-bar__info">
          <Text className="confirm-bar__label">合计</Text>
          <Text className={`confirm-bar__total${totalFen === 0 ? ' confirm-bar__total--free' : ''}`}>{formatPrice(totalFen)}</Text>
        </View>
        <Button
          className="confirm-bar__button confirm-submit"
          type="primary"
          loading={busy}
          disabled={!!blocked || reselect || error?.code === 'BOOKING_LIMIT_REACHED'}
          onClick={() => void submit()}
        >
          {error && !reselect ? '重新提交' : '提交预订'}
        </Button>
      </View>
    </Screen>
  );
}
