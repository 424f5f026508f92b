import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidHide, useDidShow, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { TICKET_OPENS_MINUTES_BEFORE, formatShanghai } from '@citysport/shared';
import { errorMessageZh, isApiError, NETWORK_ERROR } from '../../api/errors';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { sportLabel } from '../../utils/booking';
import { param } from '../../utils/params';
import { useNow } from '../../utils/time';
import { ticketApi } from '../../api/tickets';
import { TICKET_STATUS_ZH, seatLabel, ticketWhen } from './format';
import QrCode from '../../components/QrCode';
import './detail.scss';

/** fetch a new code this often (the server makes one every 30 s) … */
const REFRESH_MS = 25_000;
/** … and this long before the current one expires, whichever comes first */
const EARLY_MS = 3_000;
const RETRY_MS = 5_000;
/** the ticket's state follows from these answers of GET code */
const STATE_CODES = ['TICKET_ALREADY_USED', 'TICKET_REVOKED', 'TICKET_EXPIRED', 'TICKET_NOT_FOUND'];

interface Code {
  code: string;
  /** the digits staff may type instead of scanning (issue 10) */
  shortCode: string;
  expiresAt: number;
}

/** '1234 5678': easier to read out at the gate */
const spaced = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');

function keepScreenOn(on: boolean) {
  if (process.env.TARO_ENV !== 'weapp') return;
  Taro.setKeepScreenOn({ keepScreenOn: on }).catch(() => undefined);
}

export default function TicketDetailPage() {
  const { params } = useRouter();
  const id = param(params.id);
  const [code, setCode] = useState<Code | null>(null);
  const [codeError, setCodeError] = useState<string | null>(null);
  const [visible, setVisible] = useState(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const now = useNow(true, 1000);
  const [claimLink, setClaimLink] = useState<string | null>(null);
  const transfer = async () => {
    const res = await ticketApi.transfer(id);
    // weapp: the share card carries this path (onShareAppMessage); h5: the link is shown to copy
    setClaimLink(`/packages/ticket/index?claim=${res.claimToken}`);
  };

  const ticketLoad = useLoad(async () => (await ticketApi.mine({ toast: false })).items.find((t) => t.id === id) ?? null, [id], {
    login: `/packages/ticket/detail?id=${encodeURIComponent(id)}`,
    isEmpty: (t) => t === null,
    keepOnQuietError: true,
  });
  const { load } = ticketLoad;
  const fetchTicket = ticketLoad.reload;
  const ticket = ticketLoad.data;

  const valid = ticket?.status === 'valid';

  const clear = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };

  const fetchCode = useCallback(async () => {
    clear();
    try {
      const res = await ticketApi.code(id, { toast: false });
      const expiresAt = Date.parse(res.expiresAt);
      setCode({ code: res.code, shortCode: res.shortCode, expiresAt });
      setCodeError(null);
      const delay = Math.max(2_000, Math.min(REFRESH_MS, expiresAt - Date.now() - EARLY_MS));
      timer.current = setTimeout(() => void fetchCode(), delay);
    } catch (e) {
      if (isApiError(e) && STATE_CODES.includes(e.code)) {
        setCode(null);
        void fetchTicket(true);
        return;
      }
      setCodeError(isApiError(e) && e.code === NETWORK_ERROR ? '网络异常，正在重新获取二维码' : errorMessageZh(e));
      timer.current = setTimeout(() => void fetchCode(), RETRY_MS);
    }
  }, [id, fetchTicket]);

  useEffect(() => {
    if (!valid || !visible) return undefined;
    void fetchCode();
    keepScreenOn(true);
    return () => {
      clear();
      keepScreenOn(false);
    };
  }, [valid, visible, fetchCode]);

  useDidShow(() => setVisible(true));
  useDidHide(() => setVisible(false));

  // a code past its expiry is never shown (the timer may be late after the phone slept)
  const live = code && code.expiresAt > now ? code : null;
  const secondsLeft = live ? Math.max(0, Math.ceil((live.expiresAt - now) / 1000)) : 0;
  const clock = formatShanghai(now, 'HH:mm:ss');

  if (!ticket) {
    return (
      <Screen className="ticket-detail-page">
        <LoadView
          load={load}
          name="ticket-detail"
          count={2}
          errorText="票券加载失败"
          emptyText="票券不存在或已失效"
          emptyHint="请返回我的票券查看"
          emptyClassName="ticket-detail-missing"
          onRetry={() => void fetchTicket()}
        />
      </Screen>
    );
  }

  const t = ticket;
  return (
    <Screen className={`ticket-detail-page ticket-detail--${t.status}`}>
      <View className="ticket-pass cs-card" data-id={t.id} data-status={t.status}>
        <View className="ticket-pass__head">
          <Text className="ticket-pass__venue ticket-venue">{t.venueName}</Text>
          <Text className="ticket-pass__resource ticket-resource">
            {t.resourceName} · {sportLabel(t.sport)}
          </Text>
          <Text className="ticket-pass__time ticket-time">{ticketWhen(t)}</Text>
        </View>

        <View className="ticket-pass__holder">
          <Text className="ticket-holder">{t.holderName}</Text>
          <Text className="ticket-seat">{seatLabel(t.seat)}</Text>
        </View>

        {t.status === 'valid' ? (
          <View className="ticket-pass__code">
            <View className="ticket-clock-row">
              <View className="ticket-live-dot" />
              <Text className="ticket-clock">{clock}</Text>
            </View>
            <View className="ticket-qr-box">
              {live ? (
                <QrCode className="ticket-qr" text={live.code} />
              ) : (
                <View className="ticket-qr-placeholder">
                  <Text>{codeError ?? '正在获取二维码…'}</Text>
                </View>
              )}
            </View>
            {live ? (
              <View className="ticket-short">
                <Text className="ticket-short__label">数字入场码</Text>
                <Text className="ticket-short__code ticket-short-code">{spaced(live.shortCode)}</Text>
              </View>
            ) : null}
            <View className="ticket-live-bar">
              <View className="ticket-live-bar__pulse" />
            </View>
            {live ? (
              <Text className="ticket-code-refresh">
                <Text className="ticket-code-refresh__seconds">{Math.min(secondsLeft, Math.ceil(REFRESH_MS / 1000))}</Text> 秒内自动刷新
              </Text>
            ) : null}
            {codeError && live ? <Text className="ticket-code-error">{codeError}</Text> : null}
            <Text className="ticket-screenshot-note">二维码每30秒自动刷新，截图无效</Text>
            <Text className="ticket-help">请调亮屏幕，将二维码对准核验员的扫码设备；无法扫码时可报数字入场码</Text>
            <Text className="ticket-window">
              入场时间：开场前{TICKET_OPENS_MINUTES_BEFORE}分钟起（
              {formatShanghai(new Date(Date.parse(t.startAt) - TICKET_OPENS_MINUTES_BEFORE * 60_000).toISOString(), 'HH:mm')} 起）
            </Text>
            {Date.now() < Date.parse(t.startAt) - TICKET_OPENS_MINUTES_BEFORE * 60_000 ? (
              <View className="ticket-transfer">
                {claimLink ? (
                  <Text className="ticket-transfer__link" userSelect>
                    转赠链接已生成（入场前有效，好友领取一次后失效）：{claimLink}
                  </Text>
                ) : (
                  <Button className="ticket-transfer__btn" size="large" fill="outline" onClick={() => void transfer()}>
                    转赠给好友
                  </Button>
                )}
              </View>
            ) : null}
          </View>
        ) : (
          <View className={`ticket-pass__state ticket-state ticket-state--${t.status}`}>
            <Text className="ticket-state__title">{TICKET_STATUS_ZH[t.status]}</Text>
            {t.status === 'used' ? (
              <Text className="ticket-state__note ticket-used-at">
                {t.usedAt ? `已于 ${formatShanghai(t.usedAt, 'M月D日 HH:mm')} 入场核销` : '该票券已核销入场'}
              </Text>
            ) : (
              <Text className="ticket-state__note">预订已取消或已退款，该票券不能入场</Text>
            )}
          </View>
        )}
      </View>
    </Screen>
  );
}
