import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatShanghai, type Slot, type SubscribeTemplate, type WaitlistEntry } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import Sheet from '../../components/Sheet';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { ensureLoggedIn, isLoggedIn } from '../../stores/session';
import { askSubscribe } from '../../utils/subscribe';

export const WAITLIST_TEMPLATES: SubscribeTemplate[] = ['waitlist_offer'];

/** 候补 on a sold-out slot: the citizen's place in line, joining and leaving, and what an offer means. */
export default function WaitlistSheet({
  slot,
  courtName,
  holdMinutes,
  onClose,
}: {
  slot: Slot;
  courtName: string;
  holdMinutes: number;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mine = useLoad<WaitlistEntry | null>(
    async () => {
      if (!isLoggedIn()) return null;
      try {
        return (await api.waitlist.mine(slot.id, { toast: false })).entry;
      } catch (e) {
        if (isApiError(e) && e.code === 'WAITLIST_ENTRY_NOT_FOUND') return null;
        throw e;
      }
    },
    [slot.id],
    { isEmpty: () => false },
  );
  const entry = mine.data;
  const waiting = entry?.status === 'waiting';
  const offered = entry?.status === 'offered';

  const act = async (fn: () => Promise<{ entry: WaitlistEntry }>, done: string) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const { entry: next } = await fn();
      mine.update(() => next);
      notify(done, 2000);
    } catch (e) {
      setError(errorMessageZh(e));
    } finally {
      setBusy(false);
    }
  };
  const join = async () => {
    if (!(await ensureLoggedIn())) return;
    // weapp: the subscribe sheet straight from the tap — the offer reaches the citizen by that message
    await askSubscribe(WAITLIST_TEMPLATES);
    await act(() => api.waitlist.join(slot.id, { toast: false }), '已加入候补');
  };
  const leave = () => act(() => api.waitlist.leave(slot.id, { toast: false }), '已退出候补');

  const time = `${formatShanghai(slot.startAt, 'MM月DD日 HH:mm')}–${formatShanghai(slot.endAt, 'HH:mm')}`;
  let action = (
    <Button className="waitlist-join" type="primary" block loading={busy} onClick={() => void join()}>
      加入候补
    </Button>
  );
  if (waiting)
    action = (
      <Button className="waitlist-leave" block loading={busy} onClick={() => void leave()}>
        退出候补
      </Button>
    );
  if (offered)
    action = (
      <Button className="waitlist-pay" type="primary" block onClick={() => void Taro.navigateTo({ url: '/packages/booking/mine' })}>
        去我的预订支付
      </Button>
    );

  return (
    <Sheet open title="该时段已约满" onClose={onClose} className="waitlist-sheet" footer={mine.load.state === 'loading' ? null : action}>
      <Text className="waitlist-sheet__slot">
        {courtName} · {time}
      </Text>
      {waiting ? (
        <Text className="waitlist-sheet__position">你在候补第 {entry?.position ?? '-'} 位</Text>
      ) : offered ? (
        <Text className="waitlist-sheet__position waitlist-sheet__position--offered">
          有人退订，已为你保留{entry?.offerExpiresAt ? `至 ${formatShanghai(entry.offerExpiresAt, 'HH:mm')}` : ''}，请尽快支付
        </Text>
      ) : null}
      <Text className="waitlist-sheet__rule">
        有人取消或超时未付时，按候补顺序为排在最前的人保留 {holdMinutes}{' '}
        分钟并发送订阅消息提醒；未在保留时间内支付则顺延给下一位。每个空出的名额只给一个人。
      </Text>
      {error ? <Text className="waitlist-sheet__error">{error}</Text> : null}
    </Sheet>
  );
}
