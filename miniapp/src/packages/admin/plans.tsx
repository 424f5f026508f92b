import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { AggregationPlanInputSchema, PLAN_EVENT_TYPES, type AggregationPlanInput } from '@citysport/shared';
import { bureauApi, type ProgressData } from '../../api/bureau';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import FormField from '../../components/FormField';
import { fieldError } from '../../components/FormField/validate';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import './admin.scss';

/** the data types a department commonly plans for, in Chinese; others show their event type */
const TYPE_LABELS: Record<string, string> = {
  'user.registered': '用户注册',
  'booking.confirmed': '场馆预订',
  'booking.used': '场馆入场',
  'order.paid': '支付订单',
  'voucher.used': '消费券核销',
  'event.registered': '赛事报名',
  'event.checked_in': '赛事检录',
  'guidance.session_delivered': '健身指导服务',
  'fitness.report_issued': '体质测试报告',
  'club.member_joined': '社团入会',
  'club.activity_attended': '社团活动参与',
  'course.enrolled': '培训报名',
  'course.lesson_attended': '培训出勤',
  'gate.passed': '闸机通行',
  'ref.venue': '场馆基础数据',
};
const COMMON = Object.keys(TYPE_LABELS).filter((t) => (PLAN_EVENT_TYPES as string[]).includes(t));
const label = (t: string) => TYPE_LABELS[t] ?? t;
const MONTHS = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
const thisYear = () => new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();

type Form = { department: string; line: string; note: string; volumes: Record<string, string> };
const EMPTY: Form = { department: '', line: '', note: '', volumes: {} };

function toInput(year: number, f: Form): AggregationPlanInput {
  return {
    year,
    department: f.department,
    line: f.line,
    items: Object.entries(f.volumes)
      .filter(([, v]) => v.trim() !== '')
      .map(([eventType, v]) => ({ eventType, perYear: Number(v) })),
    ...(f.note.trim() ? { note: f.note } : {}),
  };
}

/** Delivered against plan per month: two bars a month (计划 outlined, 实际 filled). */
function MonthBars({ expected, delivered }: { expected: number[]; delivered: number[] }) {
  const max = Math.max(1, ...expected, ...delivered);
  return (
    <View className="plan-chart" role="table" aria-label="每月计划与实际汇聚量">
      {MONTHS.map((m, i) => (
        <View key={m} className="plan-chart__month" aria-label={`${m} 计划${expected[i]} 实际${delivered[i]}`}>
          <View className="plan-chart__bars">
            <View className="plan-chart__bar plan-chart__bar--plan" style={{ height: `${(expected[i] / max) * 100}%` }} />
            <View className="plan-chart__bar plan-chart__bar--done" style={{ height: `${(delivered[i] / max) * 100}%` }} />
          </View>
          <Text className="plan-chart__label">{i + 1}</Text>
        </View>
      ))}
    </View>
  );
}

/** 数据汇聚计划 (重庆 第二十三条): each department's yearly plan, and what the feed delivered against it, month by month. */
export default function PlansPage() {
  const [year, setYear] = useState(thisYear());
  const { load, data, reload } = useLoad<ProgressData>(() => bureauApi.progress(year), [year], {
    login: '/packages/admin/plans',
    isEmpty: (d) => d.plans.length === 0,
  });
  const [form, setForm] = useState<Form>(EMPTY);
  const [tried, setTried] = useState(false);
  const [showForm, setShowForm] = useState(false);
  const [busy, setBusy] = useState(false);
  const input = toInput(year, form);
  const err = (key: string, name: string) => (tried ? fieldError(AggregationPlanInputSchema, input, key, name) : null);

  const submit = async () => {
    setTried(true);
    if (!AggregationPlanInputSchema.safeParse(input).success) return notify('请检查标红的内容');
    setBusy(true);
    try {
      await bureauApi.createPlan(input);
      notify('汇聚计划已保存');
      setForm(EMPTY);
      setTried(false);
      setShowForm(false);
      void reload(true);
    } catch {
      /* toast shown (e.g. 该处室本年度已有汇聚计划) */
    } finally {
      setBusy(false);
    }
  };
  const remove = async (planId: string) => {
    try {
      await bureauApi.deletePlan(planId);
      notify('已删除');
      void reload(true);
    } catch {
      /* toast shown */
    }
  };

  return (
    <Screen className="plans-page">
      {isForbidden(load) ? <Text className="admin-forbidden">仅体育局管理员和数据分析员可查看汇聚计划</Text> : null}
      <View className="plans-year">
        <Button className="plans-year__prev" fill="outline" onClick={() => setYear(year - 1)}>
          上一年
        </Button>
        <Text className="plans-year__text">{year} 年</Text>
        <Button className="plans-year__next" fill="outline" onClick={() => setYear(year + 1)}>
          下一年
        </Button>
      </View>
      <Text className="credit-note">各处室年初报送数据汇聚计划；实际汇聚量为已送达市体育大数据中心的数据条数（按送达月份）。</Text>
      <LoadView load={load} name="plans" errorText="汇聚计划加载失败" emptyText="本年度还没有汇聚计划" onRetry={() => void reload()} />
      {data?.plans.map((p) => (
        <View key={p.planId} className="credit-row plan-row" data-plan={p.planId}>
          <View className="credit-row__head">
            <Text className="credit-row__name plan-row__dept">{p.department}</Text>
            <Text className="credit-row__kind">{p.line}</Text>
          </View>
          <Text className={`plan-row__percent${p.percent !== null && p.percent < 100 ? ' plan-row__percent--behind' : ''}`}>
            {p.percent === null ? '截至本月无计划量' : `截至本月完成 ${p.percent}%`}
          </Text>
          <MonthBars expected={p.expected} delivered={p.delivered} />
          <View className="plan-legend">
            <Text className="plan-legend__item plan-legend__item--plan">计划</Text>
            <Text className="plan-legend__item plan-legend__item--done">实际</Text>
          </View>
          {p.items.map((i) => (
            <View key={i.eventType} className="plan-item">
              <Text className="plan-item__type">{label(i.eventType)}</Text>
              <Text className="plan-item__figures">
                实际 {i.deliveredTotal} / 计划 {i.expectedTotal}
              </Text>
            </View>
          ))}
          <Button className="plan-delete" type="danger" fill="outline" onClick={() => void remove(p.planId)}>
            删除计划
          </Button>
        </View>
      ))}

      {showForm ? (
        <View className="cs-card plans-form">
          <Text className="accounts-form__title">录入 {year} 年计划</Text>
          <FormField label="处室" required error={err('department', '处室')} errorClassName="plans-error-department">
            <Input
              className="moderation-item__input plans-input-department"
              value={form.department}
              maxlength={40}
              placeholder="如 群众体育处"
              onInput={(e) => setForm({ ...form, department: e.detail.value })}
            />
          </FormField>
          <FormField label="条线" required error={err('line', '条线')} errorClassName="plans-error-line">
            <Input
              className="moderation-item__input plans-input-line"
              value={form.line}
              maxlength={40}
              placeholder="如 场馆服务"
              onInput={(e) => setForm({ ...form, line: e.detail.value })}
            />
          </FormField>
          <View className="plan-volumes">
            <Text className="plan-volumes__title">
              数据类型与年度计划量（条）<Text className="plan-volumes__required">（必填）</Text>
            </Text>
            <Text className="plan-volumes__hint">填写要汇聚的数据类型的全年计划量，平均分到各月；不汇聚的留空</Text>
            {err('items', '数据类型') ? (
              <Text className="plan-volumes__error plans-error-items">⚠ 请至少填写一种数据类型的计划量</Text>
            ) : null}
            {COMMON.map((t) => (
              <View key={t} className="plan-volume">
                <Text className="plan-volume__label">{label(t)}</Text>
                <Input
                  className={`moderation-item__input plans-volume-${t.replace(/\./g, '-')}`}
                  type="number"
                  value={form.volumes[t] ?? ''}
                  maxlength={10}
                  placeholder="全年计划量"
                  onInput={(e) => setForm({ ...form, volumes: { ...form.volumes, [t]: e.detail.value } })}
                />
              </View>
            ))}
          </View>
          <FormField label="备注" error={err('note', '备注')}>
            <Input
              className="moderation-item__input"
              value={form.note}
              maxlength={500}
              onInput={(e) => setForm({ ...form, note: e.detail.value })}
            />
          </FormField>
          <Button className="plans-submit" type="primary" block loading={busy} onClick={() => void submit()}>
            保存计划
          </Button>
        </View>
      ) : (
        <Button className="plans-new" type="primary" fill="outline" block onClick={() => setShowForm(true)}>
          录入本年度计划
        </Button>
      )}
    </Screen>
  );
}
