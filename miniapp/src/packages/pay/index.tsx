import ComingSoon from '../../components/ComingSoon';

export default function PayPage() {
  return <ComingSoon testId="page-pay" title="订单与支付" description="统一支付、退款与体育消费券" />;
}
