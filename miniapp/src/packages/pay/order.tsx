import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { INVOICE_STATUS_LABELS_ZH, ORDER_STATUS_LABELS_ZH, type Invoice, type Order } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { API_BASE } from '../../api/config';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import OrderAmounts, { OrderRow } from '../../components/OrderAmounts';
import StatusTag from '../../components/StatusTag';
import { ORDER_TONE } from '../../components/StatusTag/tones';
import CancelSheet from '../../components/CancelSheet';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { BOOKINGS_PAGE, dateTime, payUrl, yuan } from './lib';
import { KIND_ZH } from './OrderCard';
import InvoiceSheet from './InvoiceSheet';
import './pay.scss';

const TICKETS_PAGE = '/packages/ticket/index';
export const orderUrl = (orderId: string) => `/packages/pay/order?orderId=${encodeURIComponent(orderId)}`;
const INVOICEABLE: Order['status'][] = ['paid', 'partially_refunded'];

function Row(props: { label: string; value: string; className?: string }) {
  return <OrderRow block="order-detail" {...props} />;
}

/** 电子发票 PDF: the owner's short-lived link (a new one with every load of the page). */
async function openPdf(url: string) {
  const full = API_BASE.replace(/\/+$/, '') + url;
  if (process.env.TARO_ENV === 'h5') {
    window.open(full, '_blank');
    return;
  }
  const file = await Taro.downloadFile({ url: full });
  await Taro.openDocument({ filePath: file.tempFilePath, fileType: 'pdf', showMenu: true });
}

/** 订单详情: items, what was paid (原价 / 消费券 / 实付), the status over time, refunds, 电子发票, the booking. */
export default function OrderDetailPage() {
  const { params } = useRouter();
  const orderId = params.orderId ?? '';
  const [invoicing, setInvoicing] = useState(false);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const page = useLoad(
    async () => {
      const { order } = await api.pay.order(orderId, { toast: false });
      const invoice =
        order.status === 'pending' || order.status === 'closed' ? null : (await api.pay.invoice(orderId, { toast: false })).invoice;
      const booking =
        order.kind === 'booking' && order.refId
          ? await api
              .booking(order.refId, { toast: false })
              .then((r) => r.booking)
              .catch(() => null)
          : null;
      return { order, invoice, booking };
    },
    [orderId],
    { login: orderUrl(orderId), refreshOnShow: true, isEmpty: () => false },
  );
  const data = page.data;
  const o = data?.order;

  const timeline = o
    ? [
        { label: '下单', at: o.createdAt },
        ...(o.paidAt ? [{ label: '支付成功', at: o.paidAt }] : []),
        ...(o.refundedFen > 0
          ? [{ label: ORDER_STATUS_LABELS_ZH[o.status] === '退款中' ? '退款申请' : ORDER_STATUS_LABELS_ZH[o.status], at: null }]
          : []),
        ...(o.status === 'closed' ? [{ label: '订单关闭', at: null }] : []),
      ]
    : [];
  const cancellable =
    data?.booking && ['confirmed', 'held'].includes(data.booking.status) && Date.now() < Date.parse(data.booking.cancelDeadline);

  return (
    <Screen className="order-detail-page">
      <LoadView load={page.load} name="order-detail" errorText="订单加载失败" onRetry={() => void page.reload()} />
      {o && data ? (
        <>
          <View className="order-detail cs-card" data-status={o.status}>
            <View className="order-card__head">
              <Text className="order-card__title">{o.description}</Text>
              <StatusTag
                text={ORDER_STATUS_LABELS_ZH[o.status]}
                tone={ORDER_TONE[o.status]}
                className={`order-status order-status--${o.status}`}
              />
            </View>
            <Text className="order-card__time">
              {KIND_ZH[o.kind]} · 订单号 CS{o.id}
            </Text>
            <View className="order-detail__items">
              {o.items.map((it, i) => (
                <Row key={i} label={`${it.name} × ${it.quantity}`} value={yuan(it.unitFen * it.quantity)} />
              ))}
            </View>
            <OrderAmounts order={o} block="order-detail" />
            {o.note ? <Text className="order-card__note">{o.note}</Text> : null}
          </View>

          <View className="order-detail cs-card order-timeline">
            <Text className="order-detail__h">订单进度</Text>
            {timeline.map((t, i) => (
              <View key={i} className={`order-timeline__step${i === timeline.length - 1 ? ' order-timeline__step--last' : ''}`}>
                <Text className="order-timeline__label">{t.label}</Text>
                {t.at ? <Text className="order-timeline__at cs-muted">{dateTime(t.at)}</Text> : null}
              </View>
            ))}
          </View>

          {o.status !== 'pending' && o.status !== 'closed' ? (
            <View className="order-detail cs-card order-invoice" data-invoice={data.invoice?.status ?? 'none'}>
              <Text className="order-detail__h">电子发票</Text>
              {data.invoice ? (
                <InvoiceBlock invoice={data.invoice} />
              ) : INVOICEABLE.includes(o.status) && o.payableFen > o.refundedFen ? (
                <>
                  <Text className="cs-muted order-invoice__hint">可为实付金额开具电子普通发票，开具后可在此查看</Text>
                  <Button className="order-invoice-apply" type="primary" fill="outline" block onClick={() => setInvoicing(true)}>
                    申请开票
                  </Button>
                </>
              ) : (
                <Text className="cs-muted order-invoice__hint">
                  {o.payableFen === 0 ? '本单由消费券全额抵扣，无需开票' : '订单退款后不可开票'}
                </Text>
              )}
            </View>
          ) : null}

          <View className="order-detail__actions">
            {o.status === 'pending' ? (
              <Button className="order-detail-pay" type="primary" block onClick={() => void Taro.navigateTo({ url: payUrl(o.id) })}>
                去支付
              </Button>
            ) : null}
            {data.booking ? (
              <Button className="order-detail-booking" fill="outline" block onClick={() => void Taro.navigateTo({ url: BOOKINGS_PAGE })}>
                查看预订
              </Button>
            ) : null}
            {data.booking?.status === 'confirmed' ? (
              <Button className="order-detail-ticket" fill="outline" block onClick={() => void Taro.navigateTo({ url: TICKETS_PAGE })}>
                查看入场码
              </Button>
            ) : null}
            {cancellable ? (
              <Button className="order-detail-cancel" type="danger" fill="outline" block onClick={() => setCancelling(data.booking!.id)}>
                取消预订
              </Button>
            ) : null}
          </View>
          <InvoiceSheet
            order={invoicing ? o : null}
            onClose={() => setInvoicing(false)}
            onDone={(invoice) => {
              setInvoicing(false);
              page.update((d) => ({ ...d, invoice }));
            }}
          />
          <CancelSheet
            bookingId={cancelling}
            onClose={() => setCancelling(null)}
            onDone={() => {
              setCancelling(null);
              void page.reload(true);
            }}
          />
        </>
      ) : null}
    </Screen>
  );
}

function InvoiceBlock({ invoice: i }: { invoice: Invoice }) {
  return (
    <View className={`order-invoice__body order-invoice--${i.status}`}>
      <Row label="状态" className={`invoice-status invoice-status--${i.status}`} value={INVOICE_STATUS_LABELS_ZH[i.status]} />
      <Row label="抬头" value={`${i.title}（${i.buyerType === 'company' ? '单位' : '个人'}）`} />
      {i.taxIdMasked ? <Row label="税号" value={i.taxIdMasked} /> : null}
      <Row label="接收邮箱" value={i.emailMasked} />
      <Row label="开票金额" value={yuan(i.amountFen)} />
      {i.fapiaoNumber ? <Row label="发票号码" className="invoice-number" value={i.fapiaoNumber} /> : null}
      {i.issuedAt ? <Row label="开具时间" value={dateTime(i.issuedAt)} /> : null}
      {i.status === 'reversing' || i.status === 'reversed' ? (
        <Text className="order-card__note">订单已退款，发票{i.status === 'reversed' ? '已红冲作废' : '正在红冲作废'}</Text>
      ) : null}
      {i.status === 'requested' || i.status === 'issuing' ? (
        <Text className="cs-muted order-invoice__hint">发票开具中，通常几分钟内完成</Text>
      ) : null}
      {i.pdfUrl ? (
        <Button
          className="order-invoice-pdf"
          type="primary"
          block
          onClick={() => void openPdf(i.pdfUrl!).catch(() => notify('发票文件打开失败，请稍后重试', 2000))}
        >
          查看发票 PDF
        </Button>
      ) : null}
    </View>
  );
}
