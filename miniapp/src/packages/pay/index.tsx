import { useCallback, useEffect, useMemo, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { ORDER_STATUS_LABELS_ZH, type Order, type Voucher } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import { IS_H5, WECHAT_MOCK } from '../../api/config';
import Screen from '../../components/Screen';
import Sheet from '../../components/Sheet';
import { ErrorState, SkeletonList } from '../../components/StateView';
import { ensureLoggedIn } from '../../stores/session';
import { sportLabel } from '../../utils/booking';
import { param } from '../../utils/params';
import { mmss, useNow } from '../../utils/time';
import {
  ORDERS_PAGE,
  VOUCHER_REFUND_RULE,
  discountFen,
  faceText,
  inapplicableReason,
  mockConfirmPayment,
  payUrl,
  redirect,
  resultUrl,
  scopeText,
  termsLines,
  validityText,
  yuan,
} from './lib';
import './pay.scss';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; order: Order };
type VoucherLoad = { state: 'loading' } | { state: 'error' } | { state: 'ready'; items: Voucher[] };
type PayParams = { timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string };

interface Option {
  voucher: Voucher;
  reason: string | null;
  discount: number;
}

export default function PayPage() {
  const { params } = useRouter();
  const orderId = param(params.orderId);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [vouchers, setVouchers] = useState<VoucherLoad>({ state: 'loading' });
  /** undefined: not chosen yet (the best one is offered); null: 不使用消费券 */
  const [chosen, setChosen] = useState<string | null | undefined>(undefined);
  /** vouchers the server refused for this order (VOUCHER_NOT_APPLICABLE) */
  const [refused, setRefused] = useState<string[]>([]);
  const [sheet, setSheet] = useState(false);
  const [busy, setBusy] = useState(false);
  const [payError, setPayError] = useState<{ code: string; message: string } | null>(null);
  const [mock, setMock] = useState<PayParams | null>(null);
  const [mockBusy, setMockBusy] = useState(false);

  const fetchVouchers = useCallback(async () => {
    setVouchers({ state: 'loading' });
    try {
      const res = await api.pay.myVouchers({ toast: false });
      setVouchers({ state: 'ready', items: res.items });
    } catch {
      setVouchers({ state: 'error' });
    }
  }, []);

  const fetchOrder = useCallback(
    async (quiet = false) => {
      if (!orderId) {
        setLoad({ state: 'error', message: '缺少订单号，请从订单列表进入' });
        return;
      }
      if (!quiet) setLoad({ state: 'loading' });
      try {
        const { order } = await api.pay.order(orderId, { toast: false });
        setLoad({ state: 'ready', order });
      } catch (e) {
        setLoad({ state: 'error', message: errorMessageZh(e) });
      }
    },
    [orderId],
  );

  useEffect(() => {
    void ensureLoggedIn(payUrl(orderId)).then((ok) => {
      if (!ok) return;
      void fetchOrder();
      void fetchVouchers();
    });
  }, [fetchOrder, fetchVouchers, orderId]);

  const order = load.state === 'ready' ? load.order : null;
  const payable = order?.status === 'pending';
  const now = useNow(payable, 1000);

  // validity only matters to the minute: recompute the options once a minute, not every second
  const minute = Math.floor(now / 60_000);
  const options: Option[] = useMemo(() => {
    const at = minute * 60_000;
    if (!order || vouchers.state !== 'ready') return [];
    return vouchers.items
      .filter((v) => v.status === 'available' || (v.status === 'locked' && v.orderId === order.id))
      .map((v) => ({
        voucher: v,
        reason: refused.includes(v.id) ? '不适用于此订单' : inapplicableReason(v, order, at),
        discount: discountFen(v, order.amountFen),
      }))
      .sort((a, b) => Number(!!a.reason) - Number(!!b.reason) || b.discount - a.discount);
  }, [order, vouchers, refused, minute]);

  const usable = options.filter((o) => !o.reason);
  const preset = order?.voucherId ? usable.find((o) => o.voucher.id === order.voucherId) : undefined;
  const selected: Option | undefined =
    chosen === null ? undefined : chosen === undefined ? (preset ?? usable[0]) : usable.find((o) => o.voucher.id === chosen);

  if (load.state === 'loading') {
    return (
      <Screen className="pay-page">
        <SkeletonList className="pay-loading" count={2} />
      </Screen>
    );
  }
  if (load.state === 'error' || !order) {
    return (
      <Screen className="pay-page">
        <ErrorState
          className="pay-error"
          text="订单加载失败"
          hint={load.state === 'error' ? load.message : undefined}
          onRetry={() => void fetchOrder()}
        />
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
          await Taro.requestPayment({
            timeStamp: p.timeStamp,
            nonceStr: p.nonceStr,
            package: p.package,
            signType: p.signType as keyof Taro.requestPayment.SignType,
            paySign: p.paySign,
          });
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
      if (code === 'ORDER_EXPIRED' || code === 'ORDER_NOT_PAYABLE') void fetchOrder(true);
      if (code === 'VOUCHER_NOT_APPLICABLE' || code === 'CONFLICT') void fetchVouchers();
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
        void Taro.showToast({ title: `模拟支付失败：${errorMessageZh(e)}`, icon: 'none', duration: 2500 });
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
        <View className="pay-not-payable cs-card" data-status={order.status}>
          <Text className="pay-not-payable__title">订单{ORDER_STATUS_LABELS_ZH[order.status]}</Text>
          <Text className="pay-not-payable__hint">{order.note ?? '该订单当前无需支付'}</Text>
          <Button className="pay-go-result" type="primary" block onClick={() => redirect(resultUrl(order.id))}>
            查看支付结果
          </Button>
          <Button className="pay-go-orders" type="primary" fill="outline" block onClick={() => redirect(ORDERS_PAGE)}>
            我的订单
          </Button>
        </View>
      </Screen>
    );
  }

  let voucherValue: string;
  if (vouchers.state === 'loading') voucherValue = '加载中…';
  else if (vouchers.state === 'error') voucherValue = '加载失败，点击重试';
  else if (selected) voucherValue = `-${yuan(selected.discount)}`;
  else if (usable.length) voucherValue = `${usable.length}张可用`;
  else voucherValue = options.length ? '暂无可用' : '暂无消费券';

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

      <View className="pay-summary cs-card">
        <Text className="pay-summary__title pay-description">{order.description}</Text>
        <View className="pay-items">
          {order.items.map((it, i) => (
            <View key={i} className="pay-item">
              <Text className="pay-item__name">{it.name}</Text>
              <Text className="pay-item__qty">
                {yuan(it.unitFen)} × {it.quantity}
              </Text>
            </View>
          ))}
        </View>
        <View className="pay-row pay-row--strong">
          <Text className="pay-row__label">订单金额</Text>
          <Text className="pay-row__value pay-amount">{yuan(order.amountFen)}</Text>
        </View>
        <View className={`pay-expires${expired ? ' pay-expires--over' : ''}`}>
          {expired ? '订单已超时，请重新下单' : `请在 ${mmss(left)} 内完成支付，超时订单将自动关闭`}
        </View>
      </View>

      <View className="pay-discount cs-card">
        <View
          className="pay-row pay-row--tap pay-voucher-row"
          onClick={() => (vouchers.state === 'error' ? void fetchVouchers() : vouchers.state === 'ready' ? setSheet(true) : undefined)}
        >
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
        <Button className="pay-bar__button pay-submit" type="primary" loading={busy} disabled={expired} onClick={() => void pay()}>
          立即支付
        </Button>
      </View>

      <Sheet open={sheet} title="选择消费券" className="voucher-sheet" onClose={() => setSheet(false)}>
        <View
          className={`voucher-option voucher-option--none${!selected ? ' voucher-option--selected' : ''}`}
          onClick={() => {
            setChosen(null);
            setSheet(false);
          }}
        >
          <Text className="voucher-option__none-text">不使用消费券</Text>
          <View className="voucher-option__check">{!selected ? '✓' : ''}</View>
        </View>
        {options.map((o) => {
          const v = o.voucher;
          const face = faceText(v);
          const on = selected?.voucher.id === v.id;
          return (
            <View
              key={v.id}
              className={`voucher-option${on ? ' voucher-option--selected' : ''}${o.reason ? ' voucher-option--disabled' : ''}`}
              data-id={v.id}
              data-applicable={o.reason ? 'false' : 'true'}
              onClick={() => {
                if (o.reason) return;
                setChosen(v.id);
                setSheet(false);
              }}
            >
              <View className="voucher-option__face">
                <Text className="voucher-option__value">
                  {v.kind === 'amount' ? <Text className="voucher-option__unit">¥</Text> : null}
                  {face.value}
                  {v.kind === 'percent' ? <Text className="voucher-option__unit">折</Text> : null}
                </Text>
                {termsLines(v).map((t) => (
                  <Text key={t} className="voucher-option__terms">
                    {t}
                  </Text>
                ))}
              </View>
              <View className="voucher-option__body">
                <Text className="voucher-option__name">{v.name}</Text>
                <Text className="voucher-option__valid">{scopeText(v, sportLabel)}</Text>
                <Text className="voucher-option__valid">{validityText(v)}</Text>
                {o.reason ? (
                  <Text className="voucher-option__reason">{o.reason}</Text>
                ) : (
                  <Text className="voucher-option__save">本单可减{yuan(o.discount)}</Text>
                )}
              </View>
              <View className="voucher-option__check">{on ? '✓' : ''}</View>
            </View>
          );
        })}
        {options.length === 0 ? <Text className="voucher-sheet__empty">暂无可用的消费券，可到“我的-消费券”领券中心领取</Text> : null}
        <Text className="voucher-sheet__hint">适用运动和场馆以支付时校验为准</Text>
      </Sheet>

      <Sheet
        open={!!mock}
        title="模拟支付（开发环境）"
        className="mock-pay-sheet"
        onClose={() => void mockAnswer(false)}
        footer={
          <View className="mock-pay__buttons">
            <Button className="mock-pay-cancel" fill="outline" disabled={mockBusy} onClick={() => void mockAnswer(false)}>
              取消
            </Button>
            <Button className="mock-pay-confirm" type="primary" loading={mockBusy} onClick={() => void mockAnswer(true)}>
              确认支付
            </Button>
          </View>
        }
      >
        <View className="mock-pay">
          <Text className="mock-pay__badge">开发环境 · 非真实扣款</Text>
          <Text className="mock-pay__amount">{yuan(toPay)}</Text>
          <Text className="mock-pay__desc">{order.description}</Text>
          <Text className="mock-pay__hint">此窗口代替微信支付，仅用于开发和测试。支付结果以服务器通知为准。</Text>
        </View>
      </Sheet>
    </Screen>
  );
}
