import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { setElderMode, useElderFromWechat, useElderMode, useElderOfferOpen } from '../../stores/elder';
import './index.scss';

/**
 * First-launch offer of 关怀模式, as the 适老化 rules ask: a card in the page (not a pop-up), shown
 * until answered once; the answer is kept and can be changed in 我的 → 关怀模式.
 */
export default function ElderOffer() {
  const open = useElderOfferOpen();
  const elder = useElderMode();
  const fromWechat = useElderFromWechat();
  if (!open) return null;
  const on = elder && fromWechat;
  return (
    <View className="elder-offer cs-card" role="region" aria-label="关怀模式">
      <Text className="elder-offer__title">{on ? '已按微信字号开启关怀模式' : '需要更大的字和按钮吗？'}</Text>
      <Text className="elder-offer__text">
        {on
          ? '文字和按钮已放大。以后可在“我的 → 关怀模式”中更改。'
          : '开启关怀模式：文字更大、按钮更大、颜色更清晰。以后可在“我的”中更改。'}
      </Text>
      <View className="elder-offer__actions">
        <Button className="elder-offer__on" type="primary" onClick={() => setElderMode(true)}>
          {on ? '保持开启' : '开启关怀模式'}
        </Button>
        <Button className="elder-offer__off" fill="outline" onClick={() => setElderMode(false)}>
          {on ? '关闭' : '暂不需要'}
        </Button>
      </View>
    </View>
  );
}
