import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { feedbackApi } from '../../api/feedback';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { param } from '../../utils/params';
import FeedbackCard from './FeedbackCard';
import './feedback.scss';

/** One feedback: the text, its status and the answer; the sender may close it. */
export default function FeedbackDetailPage() {
  const { params } = useRouter();
  const id = param(params.id);
  const [busy, setBusy] = useState(false);
  const { load, data, reload } = useLoad(async () => (await feedbackApi.get(id)).feedback, [id], {
    login: `/packages/feedback/detail?id=${encodeURIComponent(id)}`,
  });

  const close = async () => {
    const r = await Taro.showModal({
      title: '关闭反馈',
      content: '关闭后将不再处理这条反馈，确定关闭吗？',
      confirmText: '关闭',
      cancelText: '再想想',
    });
    if (!r.confirm) return;
    setBusy(true);
    try {
      await feedbackApi.close(id);
      notify('反馈已关闭');
      await reload(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen className="feedback-detail-page">
      <LoadView load={load} name="feedback-detail" errorText="反馈加载失败" emptyText="反馈不存在" onRetry={() => void reload()} />
      {data ? (
        <>
          <FeedbackCard feedback={data} full />
          {data.status === 'open' ? (
            <Text className="feedback-wait">
              我们已收到您的反馈，{data.target.kind === 'venue' ? '场馆' : '体育局'}将尽快处理并在此回复。
            </Text>
          ) : null}
          {data.status !== 'closed' ? (
            <View className="feedback-actions">
              <Button className="feedback-close" fill="outline" type="default" block loading={busy} onClick={() => void close()}>
                {data.status === 'answered' ? '问题已解决，关闭反馈' : '关闭反馈'}
              </Button>
            </View>
          ) : null}
        </>
      ) : null}
    </Screen>
  );
}
