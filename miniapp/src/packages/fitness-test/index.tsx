import ComingSoon from '../../components/ComingSoon';

export default function FitnessTestPage() {
  return <ComingSoon testId="page-fitness-test" title="体质测试" description="预约国民体质监测，查看测试报告" />;
}
