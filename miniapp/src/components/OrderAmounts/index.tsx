import { Text, View } from '@tarojs/components';
import { fenToYuan, type Order } from '@citysport/shared';

type Block = 'order-card' | 'order-detail';

/** One label/value line of an order: '<block>__row', the value carries the caller's class. */
export function OrderRow({ block, label, value, className }: { block: Block; label: string; value: string; className?: string }) {
  return (
    <View className={`${block}__row`}>
      {block === 'order-detail' ? <Text className="cs-muted">{label}</Text> : <Text>{label}</Text>}
      <Text className={className}>{value}</Text>
    </View>
  );
}

/** '¥12.50' (0 → '¥0.00') */
const yuan = (fen: number) => `¥${fenToYuan(fen)}`;

/**
 * What an order costs: 原价 (订单金额 on the list card), 消费券抵扣, 应付 / 实付 and 已退款.
 * `block` is the BEM block the rows are styled by ('order-card' in 我的订单, 'order-detail' on 订单详情):
 * '<block>__amount', '__discount', '__payable', '__refunded' (the e2e tests read them).
 */
export default function OrderAmounts({
  order: o,
  block,
}: {
  order: Pick<Order, 'status' | 'amountFen' | 'discountFen' | 'payableFen' | 'refundedFen'>;
  block: Block;
}) {
  const detail = block === 'order-detail';
  return (
    <>
      <OrderRow block={block} label={detail ? '原价' : '订单金额'} className={`${block}__amount`} value={yuan(o.amountFen)} />
      {o.discountFen > 0 ? (
        <OrderRow block={block} label="消费券抵扣" className={`${block}__discount`} value={`-${yuan(o.discountFen)}`} />
      ) : null}
      <OrderRow
        block={block}
        label={o.status === 'pending' || o.status === 'closed' ? '应付' : '实付'}
        className={`${block}__payable`}
        value={yuan(o.payableFen)}
      />
      {o.refundedFen > 0 ? (
        <OrderRow
          block={block}
          label={detail ? '已退款（原路退回）' : '已退款'}
          className={`${block}__refunded`}
          value={yuan(o.refundedFen)}
        />
      ) : null}
    </>
  );
}
