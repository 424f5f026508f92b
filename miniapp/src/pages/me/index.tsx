import { useEffect, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button, Switch } from '@nutui/nutui-react-taro';
import { ROLE_LABELS_ZH, type Role } from '@citysport/shared';
import { errorMessageZh } from '../../api/errors';
import Screen from '../../components/Screen';
import { notify, setElderMode, useElderMode } from '../../stores/elder';
import { ensureLoggedIn, goToLogin, isLoggedIn, loadMe, logout, useSession } from '../../stores/session';
import './index.scss';

const ME_PAGE = '/pages/me/index';

interface Link {
  key: string;
  title: string;
  desc: string;
  url: string;
  /** shown only to users holding one of these roles */
  roles?: Role[];
  /** shown only to users with a staff grant on some venue */
  staffGrant?: boolean;
}

const LINKS: Link[] = [
  { key: 'tickets', title: '我的票券', desc: '入场二维码', url: '/packages/ticket/index' },
  { key: 'bookings', title: '我的预订', desc: '场地预订记录', url: '/packages/booking/mine' },
  { key: 'orders', title: '订单与支付', desc: '支付记录与退款', url: '/packages/pay/orders' },
  { key: 'vouchers', title: '消费券', desc: '我的体育消费券、领券中心', url: '/packages/pay/vouchers' },
  { key: 'clubs', title: '我的社团', desc: '加入的体育社团、会费与活动', url: '/packages/club/mine' },
  { key: 'guidance-requests', title: '单位申请健身指导', desc: '社区、学校、企事业单位申请指导员', url: '/packages/guidance/requests' },
  { key: 'courses', title: '我的培训', desc: '报名的课程、课时二维码与考勤', url: '/packages/course/mine' },
  { key: 'no-shows', title: '爽约记录', desc: '未按时入场的预订与预约限制', url: '/packages/booking/no-shows' },
  { key: 'feedback', title: '意见反馈', desc: '向场馆或体育局反映问题，查看回复', url: '/packages/feedback/index' },
  { key: 'staff', title: '核验', desc: '扫码核验入场（场馆核验员）', url: '/packages/staff/index', staffGrant: true },
  {
    key: 'manage',
    title: '场馆与赛事管理',
    desc: '场地、时段、赛事',
    url: '/packages/manage/index',
    roles: ['venue_manager', 'organiser', 'club_admin', 'instructor', 'admin'],
  },
  {
    key: 'course-provider',
    title: '培训课程管理',
    desc: '发布课程、课时考勤',
    url: '/packages/course/provider',
    roles: ['course_provider', 'venue_manager', 'admin'],
  },
  {
    key: 'feedback-inbox',
    title: '反馈处理',
    desc: '回复市民对场馆和体育局的意见',
    url: '/packages/feedback/inbox',
    roles: ['venue_manager', 'admin'],
  },
  { key: 'admin', title: '管理后台', desc: '权限、审计与数据', url: '/packages/admin/index', roles: ['admin'] },
];

export default function MePage() {
  const token = useSession((s) => s.token);
  const user = useSession((s) => s.user);
  const me = useSession((s) => s.me);
  const elder = useElderMode();
  const [error, setError] = useState<string | null>(null);

  useDidShow(() => {
    if (!isLoggedIn()) void ensureLoggedIn(ME_PAGE);
  });

  useEffect(() => {
    if (!token || me) return;
    setError(null);
    loadMe(false).catch((e: unknown) => setError(errorMessageZh(e)));
  }, [token, me]);

  const roles: Role[] = me?.roles ?? user?.roles ?? [];
  const nickname = me?.nickname ?? (user ? '市民用户' : '');
  const grants = me?.grants ?? user?.grants ?? [];
  const isGateStaff = grants.some((g) => g.role === 'staff' && !!g.scope);
  const links = LINKS.filter((l) => (l.staffGrant ? isGateStaff : !l.roles || l.roles.some((r) => roles.includes(r))));

  const onLogout = () => {
    void Taro.showModal({ title: '退出登录', content: '确定要退出当前账号吗？', confirmText: '退出', cancelText: '取消' }).then((r) => {
      if (!r.confirm) return;
      logout();
      notify('已退出登录');
      goToLogin(ME_PAGE);
    });
  };

  return (
    <Screen className="me-page">
      {token ? (
        <View className="me-profile cs-card">
          <View className="me-profile__avatar">{nickname.slice(0, 1) || '我'}</View>
          <View className="me-profile__body">
            <Text className="me-profile__name me-nickname">{nickname}</Text>
            <View className="me-profile__roles">
              {roles.map((r) => (
                <Text key={r} className={`me-role me-role--${r}`}>
                  {ROLE_LABELS_ZH[r]}
                </Text>
              ))}
            </View>
            <Text className="me-profile__phone me-phone">{me?.phone ? `手机号 ${me.phone}` : '未绑定手机号'}</Text>
          </View>
        </View>
      ) : (
        <View className="me-guest cs-card">
          <Text className="me-guest__text">您还未登录</Text>
          <Text className="me-guest__hint">登录后可预订场馆、报名赛事、查看票券</Text>
          <Button className="me-login-button" type="primary" onClick={() => goToLogin(ME_PAGE)}>
            去登录
          </Button>
        </View>
      )}

      {error ? <View className="me-error">资料加载失败：{error}</View> : null}

      <View className="me-list cs-card">
        <View className="me-row elder-row">
          <View className="me-row__main">
            <Text className="me-row__title">关怀模式</Text>
            <Text className="me-row__desc">放大文字和按钮，方便长辈使用</Text>
          </View>
          <Switch className="elder-switch" checked={elder} onChange={(v: boolean) => setElderMode(v)} />
        </View>
      </View>

      {token ? (
        <View className="me-list cs-card">
          {links.map((l) => (
            <View key={l.key} className={`me-row me-link me-link--${l.key}`} onClick={() => void Taro.navigateTo({ url: l.url })}>
              <View className="me-row__main">
                <Text className="me-row__title">{l.title}</Text>
                <Text className="me-row__desc">{l.desc}</Text>
              </View>
              <Text className="me-row__arrow">›</Text>
            </View>
          ))}
        </View>
      ) : null}

      {token ? (
        <View className="me-actions">
          <Button className="logout-button" block fill="outline" type="danger" onClick={onLogout}>
            退出登录
          </Button>
        </View>
      ) : null}
    </Screen>
  );
}
