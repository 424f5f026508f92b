import ComingSoon from '../../components/ComingSoon';

export default function StaffPage() {
  return <ComingSoon testId="page-staff" title="核验工作台" description="场馆核验员扫码核验入场" />;
}
