import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import './admin.scss';

const LINKS = [
  { key: 'reviews', title: '评价审核', desc: '内容安全检测未通过的评价与回复', url: '/packages/admin/reviews' },
  { key: 'credit', title: '信用', desc: '服务方评分、投诉与取消；市民爽约与禁约', url: '/packages/admin/credit' },
  { key: 'clubs', title: '社团审核', desc: '体育社团成立申请', url: '/packages/club/review' },
  { key: 'instructors', title: '指导员审核', desc: '社会体育指导员资格申请', url: '/packages/guidance/review' },
  { key: 'guidance-assign', title: '指导员选配', desc: '社区、单位的指导需求，匹配空闲指导员并指派', url: '/packages/guidance/assign' },
  { key: 'guidance-ranking', title: '指导员活跃度', desc: '按区县排名、达标情况，导出Excel', url: '/packages/guidance/ranking' },
  { key: 'dashboard', title: '数据看板', desc: '场馆利用率、消费与活动', url: '/packages/dashboard/index' },
  { key: 'plans', title: '数据汇聚计划', desc: '各处室年度汇聚计划，按月对比实际汇聚量', url: '/packages/admin/plans' },
  { key: 'accounts', title: '局端账号', desc: '专人专号：开通、注销管理员与数据分析员账号', url: '/packages/admin/accounts' },
];

/** 管理后台 (体育局): the bureau's pages. */
export default function AdminPage() {
  return (
    <Screen className="admin-page page-admin">
      <View className="cs-card admin-links">
        {LINKS.map((l) => (
          <View key={l.key} className={`admin-link admin-link--${l.key}`} role="link" onClick={() => void Taro.navigateTo({ url: l.url })}>
            <View className="admin-link__body">
              <Text className="admin-link__title">{l.title}</Text>
              <Text className="admin-link__desc">{l.desc}</Text>
            </View>
            <Text className="admin-link__arrow">›</Text>
          </View>
        ))}
      </View>
    </Screen>
  );
}
