import { useCallback, useEffect, useState, type ReactNode } from 'react';
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { Voucher, VoucherBatch } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import Screen from '../../components/Screen';
import { EmptyState, ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn } from '../../stores/session';
import { sportLabel } from '../../utils/booking';
import { param } from '../../utils/params';
import { VOUCHERS_PAGE, VOUCHER_REFUND_RULE, faceText, scopeText, termsLines, validityText } from './lib';
import './pay.scss';

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

type Load<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; items: T[] };

/** which tab a voucher belongs on (an available one past its validTo counts as expired) */
function tabOf(v: Voucher, now: number): Exclude<Tab, 'claim'> {
  if (v.status === 'used') return 'used';
  if (v.status === 'expired' || (v.status === 'available' && now > Date.parse(v.validTo))) return 'expired';
  return 'available';
}

function Face({ v }: { v: Pick<Voucher, 'kind' | 'faceFen' | 'percentOff' | 'maxDiscountFen' | 'minSpendFen'> }) {
  const f = faceText(v);
  return (
    <View className="voucher-card__face">
      <Text className="voucher-card__value">
        {v.kind === 'amount' ? <Text className="voucher-card__unit">¥</Text> : null}
        {f.value}
        {v.kind === 'percent' ? <Text className="voucher-card__unit">折</Text> : null}
      </Text>
      {termsLines(v).map((t) => (
        <Text key={t} className="voucher-card__terms voucher-card__min">
          {t}
        </Text>
      ))}
    </View>
  );
}

export default function VouchersPage() {
  const { params } = useRouter();
  const initial = TABS.find((t) => t.key === param(params.tab))?.key ?? 'available';
  const [tab, setTab] = useState<Tab>(initial);
  const [mine, setMine] = useState<Load<Voucher>>({ state: 'loading' });
  const [batches, setBatches] = useState<Load<VoucherBatch>>({ state: 'loading' });
  const [claiming, setClaiming] = useState<string | null>(null);
  /** batches the server said I cannot claim again (VOUCHER_LIMIT_REACHED) */
  const [maxed, setMaxed] = useState<string[]>([]);

  const fetchMine = useCallback(async () => {
    try {
      const res = await api.pay.myVouchers({ toast: false });
      setMine({ state: 'ready', items: res.items });
    } catch (e) {
      setMine({ state: 'error', message: errorMessageZh(e) });
    }
  }, []);

  const fetchBatches = useCallback(async () => {
    try {
      const res = await api.pay.voucherBatches({ toast: false });
      setBatches({ state: 'ready', items: res.items });
    } catch (e) {
      setBatches({ state: 'error', message: errorMessageZh(e) });
    }
  }, []);

  const fetchAll = useCallback(
    async (quiet = false) => {
      if (!quiet) {
        setMine({ state: 'loading' });
        setBatches({ state: 'loading' });
      }
      if (!(await ensureLoggedIn(VOUCHERS_PAGE))) return;
      await Promise.all([fetchMine(), fetchBatches()]);
    },
    [fetchMine, fetchBatches],
  );

  useEffect(() => {
    void fetchAll();
  }, [fetchAll]);

  usePullDownRefresh(() => {
    void fetchAll(true).finally(() => Taro.stopPullDownRefresh());
  });

  const claim = async (b: VoucherBatch) => {
    if (claiming) return;
    setClaiming(b.id);
    try {
      const { voucher } = await api.pay.claimVoucher(b.id, { toast: false });
      void Taro.showToast({ title: '领取成功', icon: 'success', duration: 1500 });
      setBatches((cur) =>
        cur.state === 'ready'
          ? { ...cur, items: cur.items.map((x) => (x.id === b.id ? { ...x, remaining: Math.max(0, x.remaining - 1) } : x)) }
          : cur,
      );
      setMine((cur) => (cur.state === 'ready' ? { ...cur, items: [voucher, ...cur.items.filter((x) => x.id !== voucher.id)] } : cur));
    } catch (e) {
      const code = isApiError(e) ? e.code : '';
      void Taro.showToast({ title: errorMessageZh(e), icon: 'none', duration: 2500 });
      if (code === 'VOUCHER_LIMIT_REACHED') setMaxed((m) => [...m, b.id]);
      if (code === 'VOUCHER_SOLD_OUT') {
        setBatches((cur) =>
          cur.state === 'ready' ? { ...cur, items: cur.items.map((x) => (x.id === b.id ? { ...x, remaining: 0 } : x)) } : cur,
        );
      }
    } finally {
      setClaiming(null);
    }
  };

  const now = Date.now();
  const mineCount = (t: Exclude<Tab, 'claim'>) => (mine.state === 'ready' ? mine.items.filter((v) => tabOf(v, now) === t).length : 0);
  const claimedOf = (batchId: string) => (mine.state === 'ready' ? mine.items.filter((v) => v.batchId === batchId).length : 0);

  let content: ReactNode;
  if (tab === 'claim') {
    if (batches.state === 'loading') content = <SkeletonList className="batches-loading" />;
    else if (batches.state === 'error')
      content = <ErrorState className="batches-error" text="领券中心加载失败" hint={batches.message} onRetry={() => void fetchAll()} />;
    else if (batches.items.length === 0)
      content = <EmptyState className="batches-empty" text="暂无可领取的消费券" hint="新的消费券发放时会在这里显示" />;
    else
      content = (
        <View className="batch-list">
          <Text className="voucher-hint">体育消费券由体育局发放，数量有限，领完即止。{VOUCHER_REFUND_RULE}。</Text>
          {batches.items.map((b) => {
            const soldOut = b.remaining <= 0;
            const limit = maxed.includes(b.id) || claimedOf(b.id) >= b.perPersonLimit;
            return (
              <View key={b.id} className={`voucher-card batch-card${soldOut ? ' batch-card--sold-out' : ''}`} data-id={b.id}>
                <Face v={b} />
                <View className="voucher-card__body">
                  <Text className="voucher-card__name batch-card__name">{b.name}</Text>
                  <Text className="voucher-card__scope">{scopeText(b, sportLabel)}</Text>
                  <Text className="voucher-card__valid">{validityText(b)}</Text>
                </View>
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
                </View>
              </View>
            );
          })}
        </View>
      );
  } else if (mine.state === 'loading') content = <SkeletonList className="vouchers-loading" />;
  else if (mine.state === 'error')
    content = <ErrorState className="vouchers-error" text="消费券加载失败" hint={mine.message} onRetry={() => void fetchAll()} />;
  else {
    const list = mine.items.filter((v) => tabOf(v, now) === tab);
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
              <View key={v.id} className={`voucher-card voucher-card--${t}`} data-id={v.id} data-status={v.status}>
                <Face v={v} />
                <View className="voucher-card__body">
                  <Text className="voucher-card__name">{v.name}</Text>
                  <Text className="voucher-card__scope">{scopeText(v, sportLabel)}</Text>
                  <Text className="voucher-card__valid">{validityText(v)}</Text>
                </View>
                {t !== 'available' || v.status === 'locked' ? (
                  <View className="voucher-card__side">
                    <Text className={`voucher-card__badge voucher-card__badge--${v.status}`}>
                      {v.status === 'locked' ? '支付中' : t === 'used' ? '已使用' : '已过期'}
                    </Text>
                  </View>
                ) : null}
              </View>
            );
          })}
          {tab === 'available' ? <Text className="voucher-hint">在支付页选择消费券即可抵扣。{VOUCHER_REFUND_RULE}。</Text> : null}
        </View>
      );
  }

  return (
    <Screen className="vouchers-page">
      <View className="pay-tabs">
        {TABS.map((t) => (
          <View
            key={t.key}
            className={`pay-tab voucher-tab voucher-tab--${t.key}${t.key === tab ? ' pay-tab--current voucher-tab--current' : ''}`}
            onClick={() => setTab(t.key)}
          >
            <Text>
              {t.label}
              {t.key !== 'claim' && mineCount(t.key) > 0 ? `(${mineCount(t.key)})` : ''}
            </Text>
          </View>
        ))}
      </View>
      {content}
    </Screen>
  );
}
