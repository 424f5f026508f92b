import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { ORDER_STATUS_LABELS_ZH, type Order } from '@citysport/shared';
import { mmss } from '../../utils/time';
import { ORDERS_PAGE, redirect, resultUrl, yuan } from './lib';

/** What is being paid for, item by item, and the time left to pay. */
export function PaySummary({ order, left, expired }: { order: Order; left: number; expired: boolean }) {
  return (
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
  );
}

/** An order that is not pending (paid, closed, refunded): say so and offer the way on. */
export function NotPayable({ order }: { order: Order }) {
  return (
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
  );
}
