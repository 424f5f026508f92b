import { useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { voucherDiscountFen } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import { IS_H5, WECHAT_MOCK } from '../../api/config';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { PageError, useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { useNow } from '../../utils/time';
import { VOUCHER_REFUND_RULE, inapplicableReason, mockConfirmPayment, payUrl, redirect, resultUrl, yuan } from './lib';
import MockPaySheet from './MockPaySheet';
import { NotPayable, PaySummary } from './PaySummary';
import VoucherSheet, { type VoucherOption } from './VoucherSheet';
import './pay.scss';
import { notify } from '../../stores/elder';

type PayParams = { timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string };

export default function PayPage() {
  const { params } = useRouter();
  const orderId = param(params.orderId);
  const orderLoad = useLoad(
    async () => {
      if (!orderId) throw new PageError('缺少订单号，请从订单列表进入');
      return (await api.pay.order(orderId, { toast: false })).order;
    },
    [orderId],
    { login: payUrl(orderId) },
  );
  const vouchers = useLoad(async () => (await api.pay.myVouchers({ toast: false })).items, [], {
    login: payUrl(orderId),
    isEmpty: () => false,
  });
  /** undefined: not chosen yet (the best one is offered); null: 不使用消费券 */
  const [chosen, setChosen] = useState<string | null | undefined>(undefined);
  /** vouchers the server refused for this order (VOUCHER_NOT_APPLICABLE) */
  const [refused, setRefused] = useState<string[]>([]);
  const [sheet, setSheet] = useState(false);
  const [busy, setBusy] = useState(false);
  const [payError, setPayError] = useState<{ code: string; message: string } | null>(null);
  const [mock, setMock] = useState<PayParams | null>(null);
  const [mockBusy, setMockBusy] = useState(false);

  const order = orderLoad.data;
  const payable = order?.status === 'pending';
  const now = useNow(payable, 1000);

  // validity only matters to the minute: recompute the options once a minute, not every second
  const minute = Math.floor(now / 60_000);
  const options: VoucherOption[] = useMemo(() => {
    const at = minute * 60_000;
    if (!order || !vouchers.data) return [];
    return vouchers.data
      .filter((v) => v.status === 'available' || (v.status === 'locked' && v.orderId === order.id))
      .map((v) => ({
        voucher: v,
        reason: refused.includes(v.id) ? '不适用于此订单' : inapplicableReason(v, order, at),
        discount: voucherDiscountFen(v, order.amountFen),
      }))
      .sort((a, b) => Number(!!a.reason) - Number(!!b.reason) || b.discount - a.discount);
  }, [order, vouchers.data, refused, minute]);

  const usable = options.filter((o) => !o.reason);
  const preset = order?.voucherId ? usable.find((o) => o.voucher.id === order.voucherId) : undefined;
  const selected: VoucherOption | undefined =
    chosen === null ? undefined : chosen === undefined ? (preset ?? usable[0]) : usable.find((o) => o.voucher.id === chosen);

  if (!order) {
    return (
      <Screen className="pay-page">
        <LoadView load={orderLoad.load} name="pay" count={2} errorText="订单加载失败" onRetry={() => void orderLoad.reload()} />
      </Screen>
    );
  }

  const left = Date.parse(order.expiresAt) - now;
  const expired = payable && left <= 0;
  const discount = selected ? selected.discount : 0;
  const toPay = Math.max(0, order.amountFen - discount);

  const pay = async () => {
    if (busy || expired) return;
    setBusy(true);
    setPayError(null);
    try {
      const res = await api.pay.payOrder(order.id, selected ? [selected.voucher.id] : [], { toast: false });
      if ('order' in res) {
        // nothing left to pay (the voucher covered it): the result page reads the order again
        redirect(resultUrl(order.id));
        return;
      }
      const p = res.payParams;
      if (!IS_H5) {
        try {
          await Taro.requestPayment({ ...p, signType: p.signType as keyof Taro.requestPayment.SignType });
        } catch {
          /* cancelled or failed: only the server knows, the result page asks it */
        }
        redirect(resultUrl(order.id));
      } else if (WECHAT_MOCK) {
        setMock(p);
      } else {
        setPayError({ code: 'H5_NO_PAY', message: '请在微信小程序中完成支付' });
      }
    } catch (e) {
      const code = isApiError(e) ? e.code : 'UNKNOWN';
      setPayError({ code, message: errorMessageZh(e) });
      if (code === 'VOUCHER_NOT_APPLICABLE' && selected) {
        setRefused((r) => [...r, selected.voucher.id]);
        setChosen(null);
      }
      if (code === 'ORDER_EXPIRED' || code === 'ORDER_NOT_PAYABLE') void orderLoad.reload(true);
      if (code === 'VOUCHER_NOT_APPLICABLE' || code === 'CONFLICT') void vouchers.reload();
    } finally {
      setBusy(false);
    }
  };

  const mockAnswer = async (paid: boolean) => {
    if (!mock || mockBusy) return;
    if (paid) {
      setMockBusy(true);
      try {
        await mockConfirmPayment(mock.package);
      } catch (e) {
        notify(`模拟支付失败：${errorMessageZh(e)}`, 2500);
      } finally {
        setMockBusy(false);
      }
    }
    setMock(null);
    redirect(resultUrl(order.id));
  };

  if (!payable) {
    return (
      <Screen className="pay-page">
        <NotPayable order={order} />
      </Screen>
    );
  }

  let voucherValue: string;
  if (vouchers.load.state === 'loading') voucherValue = '加载中…';
  else if (vouchers.load.state === 'error') voucherValue = '加载失败，点击重试';
  else if (selected) voucherValue = `-${yuan(selected.discount)}`;
  else if (usable.length) voucherValue = `${usable.length}张可用`;
  else voucherValue = options.length ? '暂无可用' : '暂无消费券';

  // paying before the vouchers arrive would charge the full price while the best voucher is still on its way
  const vouchersLoading = vouchers.load.state === 'loading';

  const tapVoucherRow = () => {
    if (vouchers.load.state === 'error') void vouchers.reload();
    else if (vouchers.data) setSheet(true);
  };

  return (
    <Screen className="pay-page with-bottom-bar">
      {payError ? (
        <View className="pay-pay-error cs-card" data-code={payError.code}>
          <Text>{payError.message}</Text>
          {payError.code === 'VOUCHER_NOT_APPLICABLE' ? (
            <Text className="pay-pay-error__hint">已取消选择该券，可换一张或直接支付</Text>
          ) : null}
        </View>
      ) : null}

      <PaySummary order={order} left={left} expired={expired} />

      <View className="pay-discount cs-card">
        <View className="pay-row pay-row--tap pay-voucher-row" onClick={tapVoucherRow}>
          <Text className="pay-row__label">消费券</Text>
          <Text className={`pay-row__value pay-voucher-value${selected ? ' pay-voucher-value--on' : ''}`}>{voucherValue}</Text>
          <Text className="pay-row__arrow">›</Text>
        </View>
        <View className="pay-row">
          <Text className="pay-row__label">优惠抵扣</Text>
          <Text className="pay-row__value pay-discount-value">{discount > 0 ? `-${yuan(discount)}` : yuan(0)}</Text>
        </View>
        <View className="pay-row pay-row--strong">
          <Text className="pay-row__label">实付金额</Text>
          <Text className="pay-row__value pay-payable">{yuan(toPay)}</Text>
        </View>
      </View>

      <View className="pay-notes cs-card">
        <Text className="pay-note pay-rule-note">{VOUCHER_REFUND_RULE}</Text>
        <Text className="pay-note">每笔订单限用一张消费券，最终优惠以支付时为准</Text>
      </View>

      <View className="bottom-bar pay-bar">
        <View className="pay-bar__info">
          <Text className="pay-bar__label">实付</Text>
          <Text className="pay-bar__total">{yuan(toPay)}</Text>
          {discount > 0 ? <Text className="pay-bar__saved">已省{yuan(discount)}</Text> : null}
        </View>
        <Button
          className="pay-bar__button pay-submit"
          type="primary"
          loading={busy}
          disabled={expired || vouchersLoading}
          onClick={() => void pay()}
        >
          立即支付
        </Button>
      </View>

      <VoucherSheet
        open={sheet}
        options={options}
        selectedId={selected?.voucher.id}
        onChoose={(id) => {
          setChosen(id);
          setSheet(false);
        }}
        onClose={() => setSheet(false)}
      />
      <MockPaySheet
        open={!!mock}
        busy={mockBusy}
        amountFen={toPay}
        description={order.description}
        onAnswer={(paid) => void mockAnswer(paid)}
      />
    </Screen>
  );
}
