import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Switch, Text, View } from '@tarojs/components';
import { DUES_POLICY_LABELS_ZH, type SubscribeTemplate } from '@citysport/shared';
import { IS_H5 } from '../../api/config';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { PageError, useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { isLoggedIn, ensureLoggedIn } from '../../stores/session';
import { param } from '../../utils/params';
import { askSubscribe, useSubscribeTemplates } from '../../utils/subscribe';
import { clubApi } from './api';
import { adminUrl, courtLine, day, detailUrl, newKey, roleZh, sportZh, venueUrl, when, yuan } from './lib';
import './club.scss';

const CLUB_TEMPLATES: SubscribeTemplate[] = ['club_announcement', 'club_status', 'club_dues_reminder'];
/** dues can be paid when unpaid, lapsed, or within the month before they lapse (the server's rule) */
const duesDue = (paidUntil: string | null) => !paidUntil || new Date(paidUntil).getTime() - Date.now() <= 30 * 86_400_000;

/** 社团主页: about, activities, announcements; members see more (charter, dues, all posts). */
export default function ClubDetailPage() {
  const { params } = useRouter();
  const id = param(params.id);
  useSubscribeTemplates(CLUB_TEMPLATES);
  const { load, data, reload } = useLoad(
    async () => {
      if (!id) throw new PageError('缺少社团编号，请从社团目录进入');
      return clubApi.detail(id);
    },
    [id],
    { refreshOnShow: true },
  );
  const [message, setMessage] = useState('');
  const [phone, setPhone] = useState('');
  const [optIn, setOptIn] = useState(true);
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<unknown>, done: string) => {
    if (busy) return;
    if (!isLoggedIn() && !(await ensureLoggedIn(detailUrl(id ?? '')))) return;
    setBusy(true);
    try {
      await work();
      notify(done);
      await reload(true);
    } catch {
      /* the client showed the error */
    } finally {
      setBusy(false);
    }
  };

  const join = () =>
    act(async () => {
      // h5 has no subscribe messages: the opt-in stands as chosen there
      const agreed = optIn ? IS_H5 || (await askSubscribe(CLUB_TEMPLATES)).length > 0 : false;
      await clubApi.join(id!, { message: message.trim() || undefined, phone: phone.trim() || undefined, notifyOptIn: optIn && agreed });
    }, '已提交入会申请');

  const payDues = () =>
    act(async () => {
      const { orderId } = await clubApi.payDues(id!, newKey());
      await Taro.navigateTo({ url: `/packages/pay/index?orderId=${encodeURIComponent(orderId)}` });
    }, '请完成会费支付');

  const signUp = (activityId: string) =>
    act(async () => {
      const { signup } = await clubApi.signUp(activityId);
      if (signup.orderId) await Taro.navigateTo({ url: `/packages/pay/index?orderId=${encodeURIComponent(signup.orderId)}` });
    }, '报名成功，票券在「我的票券」');

  const leave = () =>
    void Taro.showModal({ title: '退出社团', content: '确定退出该社团吗？会费按社团规则处理。', confirmText: '退出' }).then((r) => {
      if (r.confirm) void act(() => clubApi.leave(id!), '已退出社团');
    });

  const club = data?.club;
  const m = data?.membership;
  const isMember = m?.status === 'member';
  const signed = new Map((data?.signups ?? []).map((s) => [s.activityId, s.status]));

  return (
    <Screen className="club-detail">
      <LoadView load={load} name="club-detail" errorText="社团加载失败" onRetry={() => void reload()} />
      {club ? (
        <>
          <View className="club-card club-detail-head">
            <View className="club-card__head">
              <Text className="club-card__name club-detail-name">{club.name}</Text>
              <Text className="club-tag">{sportZh(club.sport)}</Text>
            </View>
            <Text className="club-card__meta">
              {club.district} · {club.members}/{club.memberLimit} 名会员 · 会费 {yuan(club.duesFen)}/年（
              {DUES_POLICY_LABELS_ZH[club.duesPolicy]}）
            </Text>
            {club.status === 'suspended' ? <View className="club-notice club-suspended">该社团已被暂停，暂不接受活动报名</View> : null}
            <Text className="club-card__desc club-purpose">{club.purpose}</Text>
          </View>

          {isMember ? (
            <View className="club-section club-membership">
              <Text className="club-section__title">我的会籍</Text>
              <Text className="club-row__sub">
                身份：{roleZh(m.role)} · 会费有效期：{m.paidUntil ? `至 ${day(m.paidUntil)}` : '未缴纳'}
              </Text>
              <View className="club-actions" style={{ marginTop: '16px', marginBottom: 0 }}>
                {club.duesFen > 0 && duesDue(m.paidUntil) ? (
                  <View className="club-button club-dues-pay" onClick={() => void payDues()}>
                    {m.paidUntil ? '续缴会费' : '缴纳会费'} {yuan(club.duesFen)}
                  </View>
                ) : null}
                {data.isClubAdmin ? (
                  <View
                    className="club-button club-button--ghost club-admin-link"
                    onClick={() => void Taro.navigateTo({ url: adminUrl(club.id) })}
                  >
                    社团管理
                  </View>
                ) : null}
                {m.role !== 'president' ? (
                  <View className="club-button club-button--danger club-leave" onClick={leave}>
                    退出
                  </View>
                ) : null}
              </View>
            </View>
          ) : m?.status === 'requested' ? (
            <View className="club-notice club-requested">入会申请已提交，等待社团管理员审核</View>
          ) : club.status === 'approved' ? (
            <View className="club-form club-join">
              <Text className="club-section__title">加入社团</Text>
              <Text className="club-form__label">留言（选填）</Text>
              <Input
                className="club-form__input club-join-message"
                value={message}
                maxlength={200}
                placeholder="介绍一下自己"
                onInput={(e) => setMessage(e.detail.value)}
              />
              <Text className="club-form__label">联系电话（选填，仅社团管理员可见打码号码）</Text>
              <Input
                className="club-form__input club-join-phone"
                type="number"
                value={phone}
                maxlength={11}
                placeholder="手机号"
                onInput={(e) => setPhone(e.detail.value)}
              />
              <View className="club-form__check">
                <Text>接收社团公告和会费提醒</Text>
                <Switch checked={optIn} onChange={(e) => setOptIn(e.detail.value)} />
              </View>
              <View className="club-button club-join-submit" onClick={() => void join()}>
                {club.openJoin ? '立即加入' : '申请加入'}
              </View>
            </View>
          ) : null}

          <View className="club-section club-activities">
            <Text className="club-section__title">近期活动</Text>
            {data.activities.length === 0 ? <Text className="club-row__sub">暂无活动</Text> : null}
            {data.activities.map((a) => {
              const mine = signed.get(a.id);
              return (
                <View key={a.id} className="club-row club-activity">
                  <View className="club-row__main">
                    <Text className="club-row__title">{a.title}</Text>
                    <Text className="club-row__sub">
                      {when(a.startAt)} · {a.place}
                    </Text>
                    <Text className="club-row__sub">
                      余 {a.remaining}/{a.capacity} 名 · {yuan(a.feeFen)}
                      {a.membersOnly ? ' · 仅会员' : ' · 公开'}
                    </Text>
                    {a.booking && a.status !== 'cancelled' && ['held', 'confirmed', 'used'].includes(a.booking.status) ? (
                      // members see where and when; the booking's own state (待支付 …) is the club admin's business
                      <Text className="club-court" onClick={() => void Taro.navigateTo({ url: venueUrl(a.booking!.venueId) })}>
                        场地：{courtLine(a.booking)} ›
                      </Text>
                    ) : null}
                  </View>
                  <View className="club-row__side">
                    {mine ? (
                      <Text className="club-tag">{mine === 'held' ? '待支付' : mine === 'attended' ? '已签到' : '已报名'}</Text>
                    ) : a.status !== 'open' ? (
                      <Text className="club-tag club-tag--muted">{a.status === 'suspended' ? '已暂停' : '已取消'}</Text>
                    ) : a.remaining === 0 ? (
                      <Text className="club-tag club-tag--muted">已满</Text>
                    ) : (
                      <View className="club-button club-button--small club-signup" onClick={() => void signUp(a.id)}>
                        报名
                      </View>
                    )}
                  </View>
                </View>
              );
            })}
          </View>

          <View className="club-section club-announcements">
            <Text className="club-section__title">公告</Text>
            {data.announcements.length === 0 ? (
              <Text className="club-row__sub">{isMember ? '暂无公告' : '加入社团后可查看全部公告'}</Text>
            ) : null}
            {data.announcements.map((n) => (
              <View key={n.id} className="club-row club-announcement">
                <View className="club-row__main">
                  <View className="club-announcement__head">
                    {n.pinned ? <Text className="club-tag club-tag--warning club-announcement__pin">置顶</Text> : null}
                    <Text className="club-row__title">{n.title}</Text>
                  </View>
                  {/* plain text: HTML typed by a club admin is shown as typed, never rendered */}
                  <Text className="club-row__sub club-announcement__body">{n.body}</Text>
                </View>
              </View>
            ))}
          </View>

          {club.charter ? (
            <View className="club-section club-charter">
              <Text className="club-section__title">社团章程</Text>
              <Text className="club-row__sub">{club.charter}</Text>
            </View>
          ) : null}
        </>
      ) : null}
    </Screen>
  );
}
