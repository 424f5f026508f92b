import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { eventsApi } from '../../api/events';
import { when } from './format';
import './draw.scss';

function Step({ n, title, done, children }: { n: number; title: string; done: boolean; children?: React.ReactNode }) {
  return (
    <View className={`cs-card draw-step${done ? ' draw-step--done' : ''}`}>
      <Text className="draw-step__title">
        {done ? '✓' : n} {title}
      </Text>
      {children}
    </View>
  );
}

/** The public draw: commitment at opening, entry-list digest at close, seed and winners after the draw. */
export default function DrawPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const { load } = useLoad(() => eventsApi.draw(id), [id], { refreshOnShow: true });
  const d = load.state === 'ready' ? load.data : undefined;
  return (
    <Screen className="draw-page">
      <LoadView
        load={load}
        name="draw"
        errorText="抽签信息加载失败"
        onRetry={() => void Taro.redirectTo({ url: `/packages/event/draw?id=${id}` })}
      />
      {d ? (
        <>
          <Step n={1} title="开放报名时公布种子承诺" done={!!d.seedCommitment}>
            <Text className="draw-hash">SHA-256(种子) = {d.seedCommitment ?? '未公布'}</Text>
          </Step>
          <Step n={2} title="截止报名时公布报名名单摘要" done={!!d.entriesDigest}>
            <Text className="draw-line">报名人数：{d.entriesCount ?? '—'}</Text>
            <Text className="draw-hash">名单摘要 = {d.entriesDigest ?? '截止后公布'}</Text>
          </Step>
          <Step n={3} title="抽签：公开种子，按规则排序" done={!!d.seed}>
            {d.seed ? (
              <>
                <Text className="draw-line">抽签时间：{d.drawnAt ? when(d.drawnAt) : ''}</Text>
                <Text className="draw-hash">种子 = {d.seed}</Text>
              </>
            ) : (
              <Text className="draw-line">尚未抽签</Text>
            )}
          </Step>
          {d.groups.map((g) => (
            <View key={g.id} className="cs-card draw-group">
              <Text className="draw-group__name">{g.name}</Text>
              <Text className="draw-line">
                名额 {g.capacity} · 候补 {g.waitlistSize}
                {d.winners ? ` · 中签 ${d.winners[g.id]?.length ?? 0}` : ''}
              </Text>
              {d.winners ? <Text className="draw-hash">前几位中签编号：{(d.winners[g.id] ?? []).slice(0, 5).join('、')}</Text> : null}
            </View>
          ))}
          <View className="cs-card">
            <Text className="draw-step__title">如何自行验证</Text>
            <Text className="draw-line">
              规则：每个组别内，以公开的种子为密钥，对每个报名编号计算
              HMAC-SHA256，按结果从小到大排序；前“名额”个中签，其后“候补”个依次候补。种子承诺 = SHA-256(种子)；名单摘要 = 按编号排序的“编号
              组别”各行的 SHA-256。
            </Text>
            <Text className="draw-hash">算法原文：{d.algorithm}</Text>
            <Text className="draw-line">
              名单只含匿名编号（不含姓名、证件号）。任何人可运行 npm run verify:draw -- &lt;接口地址&gt; {id} 复算中签结果。
            </Text>
          </View>
        </>
      ) : null}
    </Screen>
  );
}
