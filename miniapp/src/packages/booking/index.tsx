import ComingSoon from '../../components/ComingSoon';

export default function BookingPage() {
  return <ComingSoon testId="page-booking" title="场地预订" description="选择日期和时段，在线预订场地" />;
}
