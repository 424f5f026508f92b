import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import Sheet from '../../components/Sheet';
import { yuan } from './lib';

interface MockPaySheetProps {
  open: boolean;
  busy: boolean;
  amountFen: number;
  description: string;
  onAnswer: (paid: boolean) => void;
}

/** h5 with the WeChat Pay stand-in: plays the WeChat payment window (development and tests only). */
export default function MockPaySheet({ open, busy, amountFen, description, onAnswer }: MockPaySheetProps) {
  return (
    <Sheet
      open={open}
      title="模拟支付（开发环境）"
      className="mock-pay-sheet"
      onClose={() => onAnswer(false)}
      footer={
        <View className="mock-pay__buttons">
          <Button className="mock-pay-cancel" fill="outline" disabled={busy} onClick={() => onAnswer(false)}>
            取消
          </Button>
          <Button className="mock-pay-confirm" type="primary" loading={busy} onClick={() => onAnswer(true)}>
            确认支付
          </Button>
        </View>
      }
    >
      <View className="mock-pay">
        <Text className="mock-pay__badge">开发环境 · 非真实扣款</Text>
        <Text className="mock-pay__amount">{yuan(amountFen)}</Text>
        <Text className="mock-pay__desc">{description}</Text>
        <Text className="mock-pay__hint">此窗口代替微信支付，仅用于开发和测试。支付结果以服务器通知为准。</Text>
      </View>
    </Sheet>
  );
}
