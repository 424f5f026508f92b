import ComingSoon from '../../components/ComingSoon';

export default function AdminPage() {
  return <ComingSoon testId="page-admin" title="管理后台" description="体育局权限管理、审计与数据统计" />;
}
