import ComingSoon from '../../components/ComingSoon';

export default function EventPage() {
  return <ComingSoon testId="page-event" title="赛事报名" description="赛事详情、在线报名与成绩查询" />;
}
