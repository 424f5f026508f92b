import ComingSoon from '../../components/ComingSoon';

export default function ClubPage() {
  return <ComingSoon testId="page-club" title="体育社团" description="加入身边的体育社团和俱乐部" />;
}
