import ComingSoon from '../../components/ComingSoon';

export default function TicketPage() {
  return <ComingSoon testId="page-ticket" title="我的票券" description="入场二维码，到馆扫码核验" />;
}
