import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { sportLabel } from '../../utils/booking';
import { dayOf, dayTitle, timeRange } from '../../utils/time';
import { shortTime, type Outcome } from './outcome';

/** The full-screen answer at the gate: a big ✓ or ✕ with the words 允许入场 / 禁止入场 and why. */
export default function VerifyResult({ outcome, onNext }: { outcome: Outcome; onNext: () => void }) {
  const t = outcome.ticket;
  return (
    <View className={`verify-result verify-result--${outcome.admitted ? 'admitted' : 'rejected'}`} data-code={outcome.code} catchMove>
      <View className="verify-result__icon">{outcome.admitted ? '✓' : '✕'}</View>
      <Text className="verify-result__title">{outcome.title}</Text>
      {outcome.reason ? <Text className="verify-result__reason">{outcome.reason}</Text> : null}
      {outcome.hint ? <Text className="verify-result__hint">{outcome.hint}</Text> : null}
      {t ? (
        <View className="verify-result__ticket">
          <Text className="verify-result__holder">{t.holderName}</Text>
          <Text className="verify-result__venue">{t.venueName}</Text>
          <Text className="verify-result__resource">
            {t.resourceName} · {sportLabel(t.sport)} · 第{t.seat}人
          </Text>
          <Text className="verify-result__time">
            {dayTitle(dayOf(t.startAt))} {timeRange(t.startAt, t.endAt)}
          </Text>
        </View>
      ) : null}
      {!t && outcome.window ? <Text className="verify-result__window">{outcome.window}</Text> : null}
      {outcome.offline ? (
        <Text className={`verify-result__offline${outcome.autoOffline ? ' verify-result__offline--auto' : ''}`}>
          {outcome.autoOffline ? '网络异常，已自动切换离线核验' : '离线核验 · 联网后请上传'}
        </Text>
      ) : null}
      <Text className="verify-result__at">核验时间 {shortTime(outcome.at)}</Text>
      <Button className="verify-result-next" size="large" onClick={onNext}>
        继续核验
      </Button>
    </View>
  );
}
