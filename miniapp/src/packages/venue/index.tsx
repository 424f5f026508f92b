import { useRouter } from '@tarojs/taro';
import ComingSoon from '../../components/ComingSoon';

export default function VenuePage() {
  const { params } = useRouter();
  return (
    <ComingSoon
      testId="page-venue"
      title="场馆详情"
      description="场地介绍、开放时段、在线选场与预订"
      extra={params.id ? `场馆编号：${params.id}` : null}
    />
  );
}
