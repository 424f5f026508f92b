import { useEffect, useState } from 'react';
import { Text, Textarea, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { FEEDBACK_ANSWER_MAX, type Feedback, type FeedbackStatus, type VenueSummary } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { feedbackApi } from '../../api/feedback';
import { errorMessageZh } from '../../api/errors';
import Screen from '../../components/Screen';
import Tabs from '../../components/Tabs';
import { PagedList } from '../../components/LoadView';
import { isForbidden } from '../../hooks/useLoad';
import { usePagedList } from '../../hooks/usePagedList';
import { notify } from '../../stores/elder';
import { useSession } from '../../stores/session';
import FeedbackCard from './FeedbackCard';
import './feedback.scss';

const SELF = '/packages/feedback/inbox';
const BUREAU = 'bureau';
const TABS: { key: FeedbackStatus; label: string }[] = [
  { key: 'open', label: '待处理' },
  { key: 'answered', label: '已回复' },
  { key: 'closed', label: '已关闭' },
];

/**
 * 反馈处理 (staff): a venue's managers answer their venue's feedback; the bureau (admin) sees all,
 * including feedback to the bureau and text the content check held. Answers are checked and audited.
 */
export default function FeedbackInboxPage() {
  const roles = useSession((s) => s.me?.roles ?? s.user?.roles ?? []);
  const isAdmin = roles.includes('admin');
  const [venues, setVenues] = useState<VenueSummary[] | null>(null);
  const [scope, setScope] = useState<string>('');
  const [tab, setTab] = useState<FeedbackStatus>('open');
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    api.manage
      .venues({ toast: false })
      .then((r) => {
        setVenues(r.items);
        setScope((cur) => cur || (isAdmin ? BUREAU : (r.items[0]?.id ?? '')));
      })
      .catch(() => setVenues([]));
  }, [isAdmin]);

  const list = usePagedList<Feedback>(
    (cursor, limit) =>
      scope === BUREAU || (!scope && isAdmin)
        ? feedbackApi.bureauInbox(cursor, limit, tab)
        : scope
          ? feedbackApi.venueInbox(scope, cursor, limit, tab)
          : Promise.resolve({ items: [], nextCursor: null }),
    [scope, tab],
    { login: SELF },
  );

  const answer = async (f: Feedback) => {
    const text = (drafts[f.id] ?? '').trim();
    if (!text) return setErrors({ ...errors, [f.id]: '请填写回复内容' });
    setBusy(f.id);
    setErrors({ ...errors, [f.id]: null });
    try {
      await feedbackApi.answer(f.id, text);
      notify('已回复，市民可在“意见反馈”中查看');
      list.updateItems((cur) => cur.filter((x) => x.id !== f.id));
    } catch (e) {
      setErrors({ ...errors, [f.id]: errorMessageZh(e) });
    } finally {
      setBusy(null);
    }
  };
  const close = async (f: Feedback) => {
    setBusy(f.id);
    try {
      await feedbackApi.staffClose(f.id);
      notify('已关闭');
      list.updateItems((cur) => cur.filter((x) => x.id !== f.id));
    } catch {
      void list.reload(true);
    } finally {
      setBusy(null);
    }
  };

  const scopes = [...(isAdmin ? [{ id: BUREAU, name: '全部（体育局）' }] : []), ...(venues ?? []).map((v) => ({ id: v.id, name: v.name }))];

  return (
    <Screen className="feedback-inbox-page">
      {isForbidden(list.load) ? <Text className="feedback-forbidden">仅场馆管理员或体育局管理员可处理反馈</Text> : null}
      {scopes.length > 1 ? (
        <View className="feedback-choices feedback-scopes">
          {scopes.map((s) => (
            <View
              key={s.id}
              className={`feedback-chip feedback-scope${scope === s.id ? ' feedback-chip--on' : ''}`}
              data-id={s.id}
              onClick={() => setScope(s.id)}
            >
              {s.name}
            </View>
          ))}
        </View>
      ) : null}
      <Tabs items={TABS} value={tab} onChange={setTab} className="feedback-tabs" itemClass="feedback-tab" />
      <PagedList
        list={list}
        name="inbox"
        errorText="反馈加载失败"
        emptyText={tab === 'open' ? '暂无待处理的反馈' : '暂无反馈'}
        emptyHint="市民提交的意见反馈会出现在这里"
        moreBlock="feedback-more"
      >
        {(f) => (
          <View key={f.id} className="inbox-item" data-id={f.id}>
            <FeedbackCard feedback={f} full />
            {f.status === 'open' ? (
              <View className="inbox-item__reply">
                <Textarea
                  className="feedback-text inbox-answer"
                  value={drafts[f.id] ?? ''}
                  maxlength={FEEDBACK_ANSWER_MAX}
                  placeholder="回复市民：说明处理结果或安排"
                  onInput={(e) => setDrafts({ ...drafts, [f.id]: e.detail.value })}
                />
                {errors[f.id] ? <Text className="inbox-item__error">{errors[f.id]}</Text> : null}
              </View>
            ) : null}
            {f.status !== 'closed' ? (
              <View className="inbox-item__actions">
                <Button className="inbox-close" fill="outline" type="default" loading={busy === f.id} onClick={() => void close(f)}>
                  关闭
                </Button>
                {f.status === 'open' ? (
                  <Button className="inbox-send" type="primary" loading={busy === f.id} onClick={() => void answer(f)}>
                    回复
                  </Button>
                ) : null}
              </View>
            ) : null}
          </View>
        )}
      </PagedList>
    </Screen>
  );
}
