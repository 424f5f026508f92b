import { Image, Text, View } from '@tarojs/components';
import { FITNESS_GRADE_LABELS_ZH, HW_BAND_LABELS_ZH, type FitnessGrade, type HeightWeightBand } from '@citysport/shared';
import { radarSvg } from './charts';

interface Item {
  item: string;
  labelZh: string;
  value: number | null;
  heightCm?: number;
  unit: string;
  score: number | null;
  band?: string;
  meaningZh: string;
  note?: string;
  noteZh?: string;
}

/** short axis names so the radar's labels fit */
const SHORT: Record<string, string> = {
  heightWeight: '体重',
  vitalCapacityMl: '肺活量',
  stepIndex: '台阶',
  gripKg: '握力',
  pushUps: '俯卧撑',
  sitUpsPerMin: '仰卧起坐',
  verticalJumpCm: '纵跳',
  sitAndReachCm: '体前屈',
  reactionTimeS: '反应时',
  oneLegStandEyesClosedS: '平衡',
};

const NOTE_ZH: Record<string, string> = { not_measured: '未测', no_table: '暂无该组评分表', height_outside_table: '身高超出表格范围' };
const WITHHELD_ZH: Record<string, string> = {
  item_scored_zero: '有单项得 0 分，不评定等级',
  incomplete: '项目未测全，不评定等级',
  no_table: '有项目暂无可核对的评分表（见该项说明），不评定综合等级',
};

/** total, grade, radar and the per-item table of one assessment (report and calculator) */
export default function ScoreTable({
  items,
  total,
  maxTotal,
  grade,
  gradeWithheld,
  elder,
}: {
  items: Item[];
  total: number;
  maxTotal: number;
  grade: string | null;
  gradeWithheld?: string;
  elder: boolean;
}) {
  const radar = radarSvg(
    items.map((i) => ({ label: SHORT[i.item] ?? i.labelZh, score: i.score })),
    360,
    elder ? '#0b3d91' : '#1f6feb',
  );
  return (
    <View className="fit-score">
      <View className="fit-score__head cs-card">
        <Text className="fit-score__total">
          {total}
          <Text className="fit-score__max"> / {maxTotal} 分</Text>
        </Text>
        <Text className={`fit-grade fit-grade--${grade ?? 'none'}`}>
          {grade ? FITNESS_GRADE_LABELS_ZH[grade as FitnessGrade] : (WITHHELD_ZH[gradeWithheld ?? ''] ?? '不评定等级')}
        </Text>
      </View>
      <View className="fit-radar cs-card">
        <Image className="fit-radar__img" src={radar} mode="aspectFit" />
      </View>
      <View className="fit-items cs-card">
        {items.map((i) => (
          <View key={i.item} className="fit-item" data-item={i.item} data-score={i.score ?? ''}>
            <View className="fit-item__main">
              <Text className="fit-item__label">{i.labelZh}</Text>
              <Text className="fit-item__value">
                {i.value === null
                  ? NOTE_ZH[i.note ?? 'not_measured']
                  : i.item === 'heightWeight'
                    ? `${i.heightCm} cm / ${i.value} kg${i.band ? ` · ${HW_BAND_LABELS_ZH[i.band as HeightWeightBand]}` : ''}`
                    : `${i.value} ${i.unit}`}
              </Text>
              <Text className={`fit-item__score fit-item__score--${i.score ?? 'x'}`}>{i.score === null ? '—' : `${i.score} 分`}</Text>
            </View>
            <Text className="fit-item__meaning">{i.meaningZh}</Text>
            {i.noteZh ? <Text className="fit-item__note">⚠ {i.noteZh}</Text> : null}
          </View>
        ))}
      </View>
    </View>
  );
}
