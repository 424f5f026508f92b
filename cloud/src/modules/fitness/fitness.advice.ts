import type { FitnessItem, ScoredItem } from '@citysport/shared';

/** Exercise prescription per item, with links into guidance (科学健身指导) and venue booking. */
const ADVICE: Record<FitnessItem, { textZh: string; links: { label: string; path: string }[] }> = {
  heightWeight: {
    textZh: '体重与身高不相称：每周 150 分钟中等强度有氧运动（快走、游泳、骑行），配合饮食控制，每月复测体重。',
    links: [
      { label: '科学健身指导', path: '/packages/guidance/index' },
      { label: '预约游泳馆', path: '/packages/venue/index?sport=swimming' },
    ],
  },
  vitalCapacityMl: {
    textZh: '肺功能偏弱：游泳、慢跑等有氧运动每周 3–5 次，每次 30 分钟以上，可练习腹式呼吸。',
    links: [
      { label: '预约游泳馆', path: '/packages/venue/index?sport=swimming' },
      { label: '科学健身指导', path: '/packages/guidance/index' },
    ],
  },
  stepIndex: {
    textZh: '心血管耐力偏弱：从快走、骑行开始，逐步增加到每周 3 次 30 分钟的中等强度有氧运动。',
    links: [
      { label: '预约健身房', path: '/packages/venue/index?sport=fitness' },
      { label: '科学健身指导', path: '/packages/guidance/index' },
    ],
  },
  gripKg: {
    textZh: '上肢力量偏弱：每周 2–3 次力量练习（弹力带、哑铃、握力器），每组 8–12 次。',
    links: [{ label: '预约健身房', path: '/packages/venue/index?sport=fitness' }],
  },
  pushUps: {
    textZh: '上肢肌肉耐力偏弱：从跪姿俯卧撑开始，每周 3 次、每次 3 组，逐步过渡到标准俯卧撑。',
    links: [{ label: '预约健身房', path: '/packages/venue/index?sport=fitness' }],
  },
  sitUpsPerMin: {
    textZh: '腰腹耐力偏弱：平板支撑、卷腹每周 3 次，每次 3 组，注意动作规范、量力而行。',
    links: [
      { label: '预约瑜伽课', path: '/packages/venue/index?sport=yoga' },
      { label: '科学健身指导', path: '/packages/guidance/index' },
    ],
  },
  verticalJumpCm: {
    textZh: '下肢爆发力偏弱：深蹲、跳绳、篮球羽毛球等跑跳类运动每周 2–3 次。',
    links: [
      { label: '预约羽毛球场', path: '/packages/venue/index?sport=badminton' },
      { label: '预约篮球场', path: '/packages/venue/index?sport=basketball' },
    ],
  },
  sitAndReachCm: {
    textZh: '柔韧性偏弱：每天运动后拉伸 10 分钟，每个动作保持 20–30 秒；瑜伽、太极有帮助。',
    links: [
      { label: '预约瑜伽课', path: '/packages/venue/index?sport=yoga' },
      { label: '科学健身指导', path: '/packages/guidance/index' },
    ],
  },
  reactionTimeS: {
    textZh: '反应速度偏慢：乒乓球、羽毛球等需要快速判断的运动每周 2–3 次。',
    links: [
      { label: '预约乒乓球台', path: '/packages/venue/index?sport=table_tennis' },
      { label: '预约羽毛球场', path: '/packages/venue/index?sport=badminton' },
    ],
  },
  oneLegStandEyesClosedS: {
    textZh: '平衡能力偏弱：单脚站立、太极、瑜伽练习每天 10 分钟，练习时身旁要有扶靠，防止跌倒。',
    links: [
      { label: '预约瑜伽课', path: '/packages/venue/index?sport=yoga' },
      { label: '科学健身指导', path: '/packages/guidance/index' },
    ],
  },
};

/** advice for every item scoring 0–2 (weak), weakest first */
export function adviceFor(items: ScoredItem[]) {
  return items
    .filter((i) => i.score !== null && i.score <= 2)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))
    .map((i) => ({ item: i.item, ...ADVICE[i.item] }));
}
