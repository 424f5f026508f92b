import { useState, type ReactNode } from 'react';
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { Voucher, VoucherBatch } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import Screen from '../../components/Screen';
import Tabs from '../../components/Tabs';
import VoucherCard from '../../components/VoucherCard';
import StatusTag from '../../components/StatusTag';
import LoadView from '../../components/LoadView';
import { EmptyState } from '../../components/StateView';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { VOUCHERS_PAGE, VOUCHER_REFUND_RULE } from './lib';
import './pay.scss';
import { notify } from '../../stores/elder';

type Tab = 'available' | 'used' | 'expired' | 'claim';
const TABS: { key: Tab; label: string }[] = [
  { key: 'available', label: '可用' },
  { key: 'used', label: '已使用' },
  { key: 'expired', label: '已过期' },
  { key: 'claim', label: '领券中心' },
];
const EMPTY_ZH: Record<Exclude<Tab, 'claim'>, string> = {
  available: '暂无可用的消费券',
  used: '暂无已使用的消费券',
  expired: '暂无已过期的消费券',
};

/** which tab a voucher belongs on (an available one past its validTo counts as expired) */
function tabOf(v: Voucher, now: number): Exclude<Tab, 'claim'> {
  if (v.status === 'used') return 'used';
  if (v.status === 'expired' || (v.status === 'available' && now > Date.parse(v.validTo))) return 'expired';
  return 'available';
}

export default function VouchersPage() {
  const { params } = useRouter();
  const initial = TABS.find((t) => t.key === param(params.tab))?.key ?? 'available';
  const [tab, setTab] = useState<Tab>(initial);
  const [claiming, setClaiming] = useState<string | null>(null);
  /** batches the server said I cannot claim again (VOUCHER_LIMIT_REACHED) */
  const [maxed, setMaxed] = useState<string[]>([]);
  const mine = useLoad(() => api.pay.myVouchers({ toast: false }).then((r) => r.items), [], { login: VOUCHERS_PAGE, isEmpty: () => false });
  const batches = useLoad(() => api.pay.voucherBatches({ toast: false }).then((r) => r.items), [], { login: VOUCHERS_PAGE });
  const reloadAll = (quiet = false) => Promise.all([mine.reload(quiet), batches.reload(quiet)]);

  usePullDownRefresh(() => {
    void reloadAll(true).finally(() => Taro.stopPullDownRefresh());
  });

  const claim = async (b: VoucherBatch) => {
    if (claiming) return;
    setClaiming(b.id);
    try {
      const { voucher } = await api.pay.claimVoucher(b.id, { toast: false });
      notify('领取成功', 1500);
      batches.update((items) => items.map((x) => (x.id === b.id ? { ...x, remaining: Math.max(0, x.remaining - 1) } : x)));
      mine.update((items) => [voucher, ...items.filter((x) => x.id !== voucher.id)]);
    } catch (e) {
      const code = isApiError(e) ? e.code : '';
      notify(errorMessageZh(e), 2500);
      if (code === 'VOUCHER_LIMIT_REACHED') setMaxed((m) => [...m, b.id]);
      if (code === 'VOUCHER_SOLD_OUT') {
        batches.update((items) => items.map((x) => (x.id === b.id ? { ...x, remaining: 0 } : x)));
      }
    } finally {
      setClaiming(null);
    }
  };

  const now = Date.now();
  const myVouchers = mine.data ?? [];
  const mineCount = (t: Exclude<Tab, 'claim'>) => myVouchers.filter((v) => tabOf(v, now) === t).length;
  const claimedOf = (batchId: string) => myVouchers.filter((v) => v.batchId === batchId).length;

  let content: ReactNode;
  if (tab === 'claim') {
    content =
      batches.load.state === 'ready' ? (
        <View className="batch-list">
          <Text className="voucher-hint">体育消费券由体育局发放，数量有限，领完即止。{VOUCHER_REFUND_RULE}。</Text>
          {batches.load.data.map((b) => {
            const soldOut = b.remaining <= 0;
            const limit = maxed.includes(b.id) || claimedOf(b.id) >= b.perPersonLimit;
            return (
              <VoucherCard
                key={b.id}
                voucher={b}
                id={b.id}
                className={`batch-card${soldOut ? ' batch-card--sold-out' : ''}`}
                nameClassName="batch-card__name"
                side={
                  <View className="voucher-card__side">
                    <Button
                      className="voucher-card__claim batch-claim"
                      size="small"
                      type="danger"
                      disabled={soldOut || limit}
                      loading={claiming === b.id}
                      onClick={() => void claim(b)}
                    >
                      {soldOut ? '已领完' : limit ? '已领取' : '领取'}
                    </Button>
                    <Text className="voucher-card__left batch-remaining">剩余 {b.remaining} 张</Text>
                    {claimedOf(b.id) > 0 ? (
                      <Text className="voucher-card__left batch-claimed">
                        已领 {claimedOf(b.id)} 张{b.perPersonLimit > 1 ? `（限${b.perPersonLimit}张）` : ''}
                      </Text>
                    ) : null}
                  </View>
                }
              />
            );
          })}
        </View>
      ) : (
        <LoadView
          load={batches.load}
          name="batches"
          errorText="领券中心加载失败"
          emptyText="暂无可领取的消费券"
          emptyHint="新的消费券发放时会在这里显示"
          onRetry={() => void reloadAll()}
        />
      );
  } else if (!mine.data) {
    content = <LoadView load={mine.load} name="vouchers" errorText="消费券加载失败" onRetry={() => void reloadAll()} />;
  } else {
    const list = myVouchers.filter((v) => tabOf(v, now) === tab);
    content =
      list.length === 0 ? (
        <View>
          <EmptyState className="vouchers-empty" text={EMPTY_ZH[tab]} hint={tab === 'available' ? '去领券中心看看吧' : undefined} />
          {tab === 'available' ? (
            <View className="pay-more">
              <Button className="vouchers-go-claim" type="primary" onClick={() => setTab('claim')}>
                去领券中心
              </Button>
            </View>
          ) : null}
        </View>
      ) : (
        <View className="voucher-list">
          {list.map((v) => {
            const t = tabOf(v, now);
            return (
              <VoucherCard
                key={v.id}
                voucher={v}
                id={v.id}
                status={v.status}
                className={`voucher-card--${t}`}
                side={
                  t !== 'available' || v.status === 'locked' ? (
                    <View className="voucher-card__side">
                      <StatusTag
                        className={`voucher-card__badge voucher-card__badge--${v.status}`}
                        text={v.status === 'locked' ? '支付中' : t === 'used' ? '已使用' : '已过期'}
                        tone={v.status === 'locked' ? 'info' : 'muted'}
                        plain
                      />
                    </View>
                  ) : null
                }
              />
            );
          })}
          {tab === 'available' ? <Text className="voucher-hint">在支付页选择消费券即可抵扣。{VOUCHER_REFUND_RULE}。</Text> : null}
        </View>
      );
  }

  return (
    <Screen className="vouchers-page">
      <Tabs
        items={TABS.map((t) => ({ ...t, badge: t.key !== 'claim' && mineCount(t.key) > 0 ? `(${mineCount(t.key)})` : undefined }))}
        value={tab}
        onChange={setTab}
        className="pay-tabs"
        itemClass="pay-tab voucher-tab"
      />
      {content}
    </Screen>
  );
}
