import ComingSoon from '../../components/ComingSoon';

export default function GuidancePage() {
  return <ComingSoon testId="page-guidance" title="健身指导" description="社会体育指导员的健身课程与指导" />;
}
