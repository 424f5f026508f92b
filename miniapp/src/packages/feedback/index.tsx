import { useState } from 'react';
import Taro from '@tarojs/taro';
import { View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import type { Feedback, FeedbackStatus } from '@citysport/shared';
import { feedbackApi } from '../../api/feedback';
import Screen from '../../components/Screen';
import Tabs from '../../components/Tabs';
import { PagedList } from '../../components/LoadView';
import { usePagedList } from '../../hooks/usePagedList';
import FeedbackCard from './FeedbackCard';
import './feedback.scss';

const SELF = '/packages/feedback/index';
type Tab = 'all' | FeedbackStatus;
const TABS: { key: Tab; label: string }[] = [
  { key: 'all', label: '全部' },
  { key: 'open', label: '待处理' },
  { key: 'answered', label: '已回复' },
  { key: 'closed', label: '已关闭' },
];

/** 我的反馈: what I sent to venues and the bureau, with their answers. */
export default function MyFeedbackPage() {
  const [tab, setTab] = useState<Tab>('all');
  const list = usePagedList<Feedback>((cursor, limit) => feedbackApi.mine(cursor, limit, tab === 'all' ? undefined : tab), [tab], {
    login: SELF,
  });
  const write = () => void Taro.navigateTo({ url: '/packages/feedback/new' });

  return (
    <Screen className="feedback-page with-bottom-bar">
      <Tabs items={TABS} value={tab} onChange={setTab} className="feedback-tabs" itemClass="feedback-tab" />
      <PagedList
        list={list}
        name="feedback"
        errorText="反馈加载失败"
        emptyText={tab === 'all' ? '您还没有提交过反馈' : '暂无此类反馈'}
        emptyHint="对场馆设施、服务或预约有意见建议，都可以告诉我们"
        moreBlock="feedback-more"
      >
        {(f) => (
          <FeedbackCard
            key={f.id}
            feedback={f}
            onOpen={() => void Taro.navigateTo({ url: `/packages/feedback/detail?id=${encodeURIComponent(f.id)}` })}
          />
        )}
      </PagedList>
      <View className="bottom-bar">
        <Button className="bottom-bar__main feedback-write" type="primary" size="large" block onClick={write}>
          写反馈
        </Button>
      </View>
    </Screen>
  );
}
