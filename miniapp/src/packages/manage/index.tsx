import ComingSoon from '../../components/ComingSoon';

export default function ManagePage() {
  return <ComingSoon testId="page-manage" title="场馆与赛事管理" description="管理场地、开放时段与赛事" />;
}
