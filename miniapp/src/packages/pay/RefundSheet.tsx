import { useEffect, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { RefundOrderSchema, type Order } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh, isApiError } from '../../api/errors';
import Sheet from '../../components/Sheet';
import { fieldError } from '../../components/FormField/validate';
import { VOUCHER_REFUND_RULE, yuan } from './lib';
import { notify } from '../../stores/elder';

const REASONS = ['行程有变', '时间冲突', '天气原因', '身体不适'];

interface RefundSheetProps {
  /** the order to refund; null: the sheet is closed */
  order: Order | null;
  onClose: () => void;
  onDone: () => void;
}

/** 申请退款: a reason (checked with the endpoint's own schema), then POST /orders/:id/refund. */
export default function RefundSheet({ order, onClose, onDone }: RefundSheetProps) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  useEffect(() => {
    setReason('');
    setBusy(false);
    setError(null);
  }, [order]);

  const submit = async () => {
    if (!order || busy) return;
    const invalid = fieldError(RefundOrderSchema, { reason }, 'reason', '退款原因');
    if (invalid) {
      setError({ code: 'REASON', message: invalid });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.pay.refundOrder(order.id, reason.trim(), { toast: false });
      notify('已申请退款，款项将原路退回', 2500);
      onDone();
    } catch (e) {
      const code = isApiError(e) ? e.code : 'UNKNOWN';
      let message = errorMessageZh(e);
      if (code === 'CANCEL_WINDOW_CLOSED') message = `${message}，该预订已不能退款`;
      setBusy(false);
      setError({ code, message });
    }
  };

  return (
    <Sheet
      open={!!order}
      title="申请退款"
      className="refund-sheet"
      onClose={() => (busy ? undefined : onClose())}
      footer={
        <Button className="refund-submit" type="danger" block loading={busy} onClick={() => void submit()}>
          确认退款
        </Button>
      }
    >
      {order ? (
        <View>
          <Text className="refund-sheet__lead">
            退款将取消「{order.description}」
            {order.payableFen > order.refundedFen ? `，${yuan(order.payableFen - order.refundedFen)}将原路退回。` : '。'}
          </Text>
          <View className="refund-reasons">
            {REASONS.map((r) => (
              <View
                key={r}
                className={`refund-reason-chip${reason === r ? ' refund-reason-chip--on' : ''}`}
                onClick={() => {
                  setReason(r);
                  setError(null);
                }}
              >
                {reason === r ? '✓ ' : ''}
                {r}
              </View>
            ))}
          </View>
          <Input
            className="refund-reason"
            value={reason}
            maxlength={80}
            placeholder="请填写退款原因"
            onInput={(e) => {
              setReason(e.detail.value);
              setError(null);
            }}
          />
          <Text className="refund-sheet__rule">{VOUCHER_REFUND_RULE}</Text>
          {error ? (
            <Text className="refund-sheet__error refund-error" data-code={error.code}>
              {error.message}
            </Text>
          ) : null}
        </View>
      ) : null}
    </Sheet>
  );
}
