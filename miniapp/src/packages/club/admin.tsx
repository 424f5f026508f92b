import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Input, Switch, Text, Textarea, View } from '@tarojs/components';
import type { ClubMember } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView, { LoadMore } from '../../components/LoadView';
import Tabs from '../../components/Tabs';
import { isForbidden, PageError, useLoad } from '../../hooks/useLoad';
import { usePagedList } from '../../hooks/usePagedList';
import { notify } from '../../stores/elder';
import { param } from '../../utils/params';
import { clubApi } from './api';
import { api } from '../../api/endpoints';
import { adminUrl, COURT_OUTCOME_ZH, COURT_STATUS_ZH, courtLine, day, roleZh, venueUrl, when, yuan } from './lib';
import './club.scss';

type Tab = 'requests' | 'members' | 'activities' | 'dues' | 'posts';
const TABS: { key: Tab; label: string }[] = [
  // short labels: five tabs stay on one line in 关怀模式
  { key: 'requests', label: '申请' },
  { key: 'members', label: '成员' },
  { key: 'activities', label: '活动' },
  { key: 'dues', label: '会费' },
  { key: 'posts', label: '公告' },
];
const DUES_ZH = { held: '待支付', paid: '已缴', refunded: '已退', closed: '已关闭' } as const;

function Members({ clubId, status }: { clubId: string; status: 'requested' | 'member' }) {
  const list = usePagedList<ClubMember & { id: string }>(
    async (cursor, limit) => {
      const page = await clubApi.members(clubId, status, cursor, limit);
      return { ...page, items: page.items.map((m) => ({ ...m, id: m.userId })) };
    },
    [clubId, status],
    { login: adminUrl(clubId) },
  );
  const decide = async (m: ClubMember, action: 'approve' | 'reject' | 'remove') => {
    if (action === 'remove') {
      const r = await Taro.showModal({
        title: '移除成员',
        content: `确定移除「${m.nickname}」吗？移除后立即失去会员权限。`,
        confirmText: '移除',
      });
      if (!r.confirm) return;
    }
    try {
      await clubApi.decide(clubId, m.userId, action);
      notify(action === 'approve' ? '已通过' : action === 'reject' ? '已拒绝' : '已移除');
      await list.reload(true);
    } catch {
      /* toast shown */
    }
  };
  const promote = async (m: ClubMember) => {
    try {
      await clubApi.setRole(clubId, m.userId, m.role === 'member' ? 'admin' : 'member');
      notify('角色已更新');
      await list.reload(true);
    } catch {
      /* toast shown */
    }
  };
  return (
    <View className="club-section">
      {isForbidden(list.load) ? <View className="club-notice club-forbidden">仅社团管理员可查看</View> : null}
      <LoadView
        load={list.load}
        name={`club-${status}`}
        errorText="加载失败"
        emptyText={status === 'requested' ? '暂无入会申请' : '暂无成员'}
        onRetry={() => void list.reload()}
      />
      {list.items.map((m) => (
        <View key={m.userId} className={`club-row club-member club-member--${status}`}>
          <View className="club-row__main">
            <Text className="club-row__title">
              {m.nickname} <Text className="club-tag club-tag--muted">{roleZh(m.role)}</Text>
            </Text>
            <Text className="club-row__sub club-member__phone">{m.phone ?? '未留电话'}</Text>
            {m.message ? <Text className="club-row__sub">留言：{m.message}</Text> : null}
            {status === 'member' ? <Text className="club-row__sub">会费：{m.paidUntil ? `至 ${day(m.paidUntil)}` : '未缴'}</Text> : null}
          </View>
          <View className="club-row__side">
            {status === 'requested' ? (
              <>
                <View className="club-button club-button--small club-approve" onClick={() => void decide(m, 'approve')}>
                  通过
                </View>
                <View className="club-button club-button--small club-button--danger club-reject" onClick={() => void decide(m, 'reject')}>
                  拒绝
                </View>
              </>
            ) : m.role !== 'president' ? (
              <>
                <View className="club-button club-button--small club-button--ghost" onClick={() => void promote(m)}>
                  {m.role === 'member' ? '设为管理员' : '设为会员'}
                </View>
                <View className="club-button club-button--small club-button--danger club-remove" onClick={() => void decide(m, 'remove')}>
                  移除
                </View>
              </>
            ) : null}
          </View>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="club-more" name={`club-${status}`} />
      ) : null}
    </View>
  );
}

function Activities({ clubId }: { clubId: string }) {
  const { load, data, reload } = useLoad(() => clubApi.detail(clubId), [clubId]);
  // a court for the activity: one of my active bookings (booked through 场馆预约)
  const courts = useLoad(() => api.myBookings({ status: 'active', limit: 20 }, { toast: false }), []);
  const [court, setCourt] = useState<string | null>(null);
  const [f, setF] = useState({ title: '', place: '', date: '', time: '09:00', hours: '2', capacity: '20', feeYuan: '0' });
  const [membersOnly, setMembersOnly] = useState(true);
  const set = (k: keyof typeof f) => (e: { detail: { value: string } }) => setF((cur) => ({ ...cur, [k]: e.detail.value }));
  const pickCourt = (b: { id: string; venueName: string; resourceName: string; startAt: string; endAt: string }) => {
    if (court === b.id) return setCourt(null);
    setCourt(b.id);
    // the activity takes the court's place and time unless already typed
    const hours = (new Date(b.endAt).getTime() - new Date(b.startAt).getTime()) / 3600_000;
    setF((cur) => ({
      ...cur,
      place: cur.place || `${b.venueName} ${b.resourceName}`,
      date: cur.date || day(b.startAt),
      time: cur.date ? cur.time : when(b.startAt).slice(-5),
      hours: cur.date ? cur.hours : String(hours),
    }));
  };
  const create = async () => {
    const start = new Date(`${f.date}T${f.time}:00+08:00`);
    if (Number.isNaN(start.getTime())) return notify('请填写日期（如 2026-12-05）和时间');
    try {
      await clubApi.createActivity(clubId, {
        title: f.title,
        place: f.place,
        startAt: start.toISOString(),
        endAt: new Date(start.getTime() + Number(f.hours) * 3600_000).toISOString(),
        capacity: Number(f.capacity),
        feeFen: Math.round(Number(f.feeYuan) * 100),
        membersOnly,
        ...(court ? { booking: { bookingId: court } } : {}),
      });
      notify('活动已发布');
      setCourt(null);
      await Promise.all([reload(true), courts.reload(true)]);
    } catch {
      /* toast shown */
    }
  };
  const cancel = async (a: NonNullable<typeof data>['activities'][number]) => {
    let keepBooking = false;
    if (a.booking && ['held', 'confirmed'].includes(a.booking.status)) {
      // what becomes of the court is the admin's call: 退订 by the venue's rules (default), or keep it
      const r = await Taro.showActionSheet({ itemList: ['取消活动，并退订场地（按场馆退订规则退款）', '取消活动，保留场地'] }).catch(
        () => null,
      );
      if (!r) return;
      keepBooking = r.tapIndex === 1;
    } else {
      const r = await Taro.showModal({ title: '取消活动', content: `确定取消「${a.title}」吗？已报名的会员将收到退款。` });
      if (!r.confirm) return;
    }
    try {
      const { activity } = await clubApi.cancelActivity(clubId, a.id, { reason: '社团取消活动', keepBooking });
      notify(activity.booking?.outcome ? COURT_OUTCOME_ZH[activity.booking.outcome] : '活动已取消');
      await Promise.all([reload(true), courts.reload(true)]);
    } catch {
      /* toast shown */
    }
  };
  const free = (courts.data?.items ?? []).filter((b) => !(data?.activities ?? []).some((a) => a.booking?.id === b.id));
  return (
    <>
      <View className="club-form club-activity-form">
        <Text className="club-section__title">发布活动</Text>
        <Input className="club-form__input" placeholder="活动名称" value={f.title} onInput={set('title')} />
        <View className="club-court-pick">
          <Text className="club-row__sub">场地（可选，用我的场馆预约）</Text>
          {free.length === 0 ? (
            <Text className="club-court" onClick={() => void Taro.switchTab({ url: '/pages/venues/index' })}>
              暂无可用的场地预约，去预约场地 ›
            </Text>
          ) : (
            <View className="club-chips club-court-pick__list">
              {free.map((b) => (
                <Text
                  key={b.id}
                  className={`club-chips__chip ${court === b.id ? 'club-chips__chip--current' : ''}`}
                  onClick={() => pickCourt(b)}
                >
                  {courtLine(b)}
                  {b.status === 'held' ? '（待支付）' : ''}
                </Text>
              ))}
            </View>
          )}
        </View>
        <Input className="club-form__input" placeholder="地点" value={f.place} onInput={set('place')} />
        <Input className="club-form__input" placeholder="日期 2026-12-05" value={f.date} onInput={set('date')} />
        <Input className="club-form__input" placeholder="开始时间 09:00" value={f.time} onInput={set('time')} />
        <Input className="club-form__input" placeholder="时长（小时）" type="digit" value={f.hours} onInput={set('hours')} />
        <Input className="club-form__input" placeholder="名额" type="number" value={f.capacity} onInput={set('capacity')} />
        <Input className="club-form__input" placeholder="费用（元，0 为免费）" type="digit" value={f.feeYuan} onInput={set('feeYuan')} />
        <View className="club-form__check">
          <Text>仅限会员报名</Text>
          <Switch checked={membersOnly} onChange={(e) => setMembersOnly(e.detail.value)} />
        </View>
        <View className="club-button" onClick={() => void create()}>
          发布
        </View>
      </View>
      <View className="club-section">
        <LoadView load={load} name="club-admin-activities" errorText="加载失败" onRetry={() => void reload()} />
        {data?.activities.map((a) => (
          <View key={a.id} className="club-row club-admin-activity">
            <View className="club-row__main">
              <Text className="club-row__title">{a.title}</Text>
              <Text className="club-row__sub">
                {when(a.startAt)} · {a.place} · {yuan(a.feeFen)}
              </Text>
              {a.booking ? (
                <Text className="club-court" onClick={() => void Taro.navigateTo({ url: venueUrl(a.booking!.venueId) })}>
                  场地：{courtLine(a.booking)} ·{' '}
                  {a.booking.outcome ? COURT_OUTCOME_ZH[a.booking.outcome] : (COURT_STATUS_ZH[a.booking.status] ?? a.booking.status)} ›
                </Text>
              ) : null}
              {a.booking && a.status !== 'cancelled' ? (
                <Text className="club-court" onClick={() => void Taro.navigateTo({ url: '/packages/booking/mine' })}>
                  查看场地预约 ›
                </Text>
              ) : null}
            </View>
            <View className="club-row__side">
              {a.status === 'cancelled' ? (
                <Text className="club-tag club-tag--muted">已取消</Text>
              ) : (
                <>
                  <Text className="club-tag">
                    已报 {a.capacity - a.remaining}/{a.capacity}
                  </Text>
                  <View className="club-button club-button--small club-button--ghost club-activity-cancel" onClick={() => void cancel(a)}>
                    取消活动
                  </View>
                </>
              )}
            </View>
          </View>
        ))}
      </View>
    </>
  );
}

function Ledger({ clubId }: { clubId: string }) {
  const { load, data, reload } = useLoad(() => clubApi.ledger(clubId), [clubId], { login: adminUrl(clubId) });
  const paid = (data?.items ?? []).filter((r) => r.status === 'paid').reduce((s, r) => s + r.amountFen, 0);
  return (
    <View className="club-section club-ledger">
      <Text className="club-section__title">会费台账</Text>
      <Text className="club-row__sub club-ledger__total">
        已缴合计 {yuan(paid)} · 共 {data?.items.length ?? 0} 笔（可在电脑端导出 Excel）
      </Text>
      <LoadView load={load} name="club-ledger" errorText="加载失败" emptyText="暂无会费记录" onRetry={() => void reload()} />
      {data?.items.map((r) => (
        <View key={r.id} className="club-row club-ledger-row">
          <View className="club-row__main">
            <Text className="club-row__title">{r.nickname}</Text>
            <Text className="club-row__sub">
              {day(r.periodStart)} 至 {day(r.periodEnd)}
              {r.refundedFen ? ` · 已退 ${yuan(r.refundedFen)}` : ''}
            </Text>
          </View>
          <View className="club-row__side">
            <Text className="club-amount">{yuan(r.amountFen)}</Text>
            <Text className={`club-tag${r.status === 'paid' ? '' : ' club-tag--muted'}`}>{DUES_ZH[r.status]}</Text>
          </View>
        </View>
      ))}
    </View>
  );
}

function Posts({ clubId }: { clubId: string }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [pinned, setPinned] = useState(false);
  const post = async () => {
    try {
      const res = await clubApi.announce(clubId, { title, body, pinned });
      notify(`公告已发布，已通知 ${res.notified} 人`);
      setTitle('');
      setBody('');
    } catch {
      /* toast shown */
    }
  };
  return (
    <View className="club-form club-post-form">
      <Text className="club-section__title">发布公告</Text>
      <Input className="club-form__input" placeholder="标题" value={title} maxlength={60} onInput={(e) => setTitle(e.detail.value)} />
      <Textarea
        className="club-form__area"
        placeholder="内容（将以订阅消息通知同意接收的会员）"
        value={body}
        maxlength={5000}
        onInput={(e) => setBody(e.detail.value)}
      />
      <View className="club-form__check">
        <Text>置顶</Text>
        <Switch checked={pinned} onChange={(e) => setPinned(e.detail.value)} />
      </View>
      <View className="club-button" onClick={() => void post()}>
        发布
      </View>
    </View>
  );
}

/** 社团管理 (club admins of this club): members and requests, activities, the dues ledger, announcements. */
export default function ClubAdminPage() {
  const { params } = useRouter();
  const id = param(params.id);
  const [tab, setTab] = useState<Tab>((param(params.tab) as Tab) ?? 'requests');
  const head = useLoad(async () => {
    if (!id) throw new PageError('缺少社团编号');
    return clubApi.detail(id);
  }, [id]);
  return (
    <Screen className="club-admin">
      <LoadView load={head.load} name="club-admin" errorText="加载失败" onRetry={() => void head.reload()} />
      {head.data ? (
        <>
          <View className="club-card">
            <Text className="club-card__name club-admin-name">{head.data.club.name}</Text>
            <Text className="club-card__meta">
              {head.data.club.members}/{head.data.club.memberLimit} 名会员
            </Text>
          </View>
          {head.data.isClubAdmin ? (
            <>
              <Tabs items={TABS} value={tab} onChange={setTab} className="club-tabs" itemClass="club-tab" />
              {tab === 'requests' ? <Members clubId={id!} status="requested" /> : null}
              {tab === 'members' ? <Members clubId={id!} status="member" /> : null}
              {tab === 'activities' ? <Activities clubId={id!} /> : null}
              {tab === 'dues' ? <Ledger clubId={id!} /> : null}
              {tab === 'posts' ? <Posts clubId={id!} /> : null}
            </>
          ) : (
            <View className="club-notice club-forbidden">仅该社团的管理员可以管理</View>
          )}
        </>
      ) : null}
    </Screen>
  );
}
