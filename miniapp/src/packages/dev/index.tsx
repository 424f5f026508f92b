import { useState, type PropsWithChildren } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import {
  BOOKING_STATUS_LABELS_ZH,
  BookingStatusSchema,
  ManageReasonSchema,
  ORDER_STATUS_LABELS_ZH,
  OrderStatusSchema,
} from '@citysport/shared';
import Screen from '../../components/Screen';
import Tabs from '../../components/Tabs';
import Stepper from '../../components/Stepper';
import VoucherCard from '../../components/VoucherCard';
import FormField from '../../components/FormField';
import { fieldError } from '../../components/FormField/validate';
import PersonPicker from '../../components/PersonPicker';
import StatusTag from '../../components/StatusTag';
import { BOOKING_TONE, ORDER_TONE } from '../../components/StatusTag/tones';
import { EmptyState } from '../../components/StateView';
import LoadView, { LoadMore } from '../../components/LoadView';
import Countdown from '../../components/Countdown';
import { usePagedList } from '../../hooks/usePagedList';
import type { Load } from '../../hooks/useLoad';
import { DEMO_PEOPLE, DEMO_VOUCHERS, demoPage } from './fixtures';
// the pages' own styles of the shared classes (voucher-card, voucher-option, stepper), so each demo looks as it does in place
import '../pay/pay.scss';
import '../booking/slots.scss';
import './index.scss';
import { notify } from '../../stores/elder';

function Demo({ title, name, children }: PropsWithChildren<{ title: string; name: string }>) {
  return (
    <View className={`dev-demo dev-demo--${name} cs-card`} id={`demo-${name}`}>
      <Text className="dev-demo__title">{title}</Text>
      <View className="dev-demo__body">{children}</View>
    </View>
  );
}

const LOAD_STATES: { key: Load<unknown>['state']; label: string }[] = [
  { key: 'loading', label: '加载中' },
  { key: 'error', label: '出错' },
  { key: 'empty', label: '空' },
  { key: 'ready', label: '就绪' },
];

function LoadDemo() {
  const [state, setState] = useState<Load<unknown>['state']>('error');
  const load: Load<unknown> =
    state === 'error'
      ? { state, message: '网络不可用，请检查网络后重试', error: null }
      : state === 'empty' || state === 'ready'
        ? { state, data: [] }
        : { state };
  return (
    <>
      <Tabs items={LOAD_STATES} value={state} onChange={setState} />
      <LoadView
        load={load}
        name="dev-load"
        errorText="示例加载失败"
        emptyText="暂无内容"
        emptyHint="这里是空状态的说明"
        onRetry={() => notify('重试')}
        count={1}
      />
      {state === 'ready' ? <Text className="dev-demo__note">就绪：页面显示数据</Text> : null}
    </>
  );
}

function PagedDemo() {
  const list = usePagedList((cursor, limit) => demoPage(cursor, limit), [], { pageSize: 3, refreshOnShow: false });
  return (
    <>
      {list.items.map((x) => (
        <View key={x.id} className="dev-demo__row">
          <Text>{x.title}</Text>
        </View>
      ))}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block="dev-more" name="dev" />
      ) : null}
    </>
  );
}

export default function DevKitPage() {
  const [tab, setTab] = useState<'a' | 'b' | 'c'>('a');
  const [count, setCount] = useState(1);
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [people, setPeople] = useState<string[]>(['p1']);
  const [chosen, setChosen] = useState<string | null>(DEMO_VOUCHERS[1].id);
  const [until] = useState(() => Date.now() + 15 * 60_000);
  const reasonError = touched ? fieldError(ManageReasonSchema, { reason }, 'reason', '原因') : null;

  return (
    <Screen className="dev-page">
      <Text className="dev-page__lead">开发环境专用：每个通用组件一个示例。切换“我的-关怀模式”可查看大字效果。</Text>

      <Demo title="标签页 Tabs" name="tabs">
        <Tabs
          items={[
            { key: 'a', label: '可用' },
            { key: 'b', label: '已使用' },
            { key: 'c', label: '已过期' },
          ]}
          value={tab}
          onChange={setTab}
        />
        <Text className="dev-demo__note">当前：{tab}</Text>
      </Demo>

      <Demo title="步进器 Stepper" name="stepper">
        <Stepper
          value={count}
          max={4}
          unit="人"
          onChange={setCount}
          onLimit={(w) => notify(w === 'max' ? '最多可预订4个名额' : '至少1人')}
        />
      </Demo>

      <Demo title="消费券 VoucherCard" name="voucher">
        {DEMO_VOUCHERS.map((v) => (
          <VoucherCard
            key={v.id}
            block="voucher-option"
            voucher={v}
            id={v.id}
            className={chosen === v.id ? 'voucher-option--selected' : ''}
            note={<Text className="voucher-option__save">本单可减¥10.00</Text>}
            side={<View className="voucher-option__check">{chosen === v.id ? '✓' : ''}</View>}
            onClick={() => setChosen(v.id)}
          />
        ))}
        <VoucherCard
          voucher={DEMO_VOUCHERS[0]}
          side={
            <View className="voucher-card__side">
              <StatusTag text="已使用" tone="muted" />
            </View>
          }
        />
      </Demo>

      <Demo title="表单项 FormField（共享校验规则）" name="form">
        <FormField label="原因" hint="2–200个字，与服务端同一规则（ManageReasonSchema）" error={reasonError} required>
          <Input className="dev-reason" value={reason} placeholder="例如：场地维修" onInput={(e) => setReason(e.detail.value)} />
        </FormField>
        <Button className="dev-reason-submit" type="primary" onClick={() => setTouched(true)}>
          提交
        </Button>
      </Demo>

      <Demo title="选择家庭成员 PersonPicker" name="people">
        <PersonPicker
          people={DEMO_PEOPLE}
          selected={people}
          max={2}
          onChange={setPeople}
          onLimit={() => notify('最多选择2人')}
          onAdd={() => notify('添加家庭成员')}
        />
      </Demo>

      <Demo title="状态标签 StatusTag（文字+符号，不只靠颜色）" name="status">
        <View className="dev-demo__tags">
          {BookingStatusSchema.options.map((s) => (
            <StatusTag key={s} text={BOOKING_STATUS_LABELS_ZH[s]} tone={BOOKING_TONE[s]} />
          ))}
        </View>
        <View className="dev-demo__tags">
          {OrderStatusSchema.options.map((s) => (
            <StatusTag key={s} text={ORDER_STATUS_LABELS_ZH[s]} tone={ORDER_TONE[s]} />
          ))}
        </View>
      </Demo>

      <Demo title="空状态 EmptyState" name="empty">
        <EmptyState text="暂无预订" hint="去场馆页挑选附近的场地吧" />
      </Demo>

      <Demo title="加载状态 useLoad + LoadView" name="load">
        <LoadDemo />
      </Demo>

      <Demo title="分页列表 usePagedList + LoadMore" name="paged">
        <PagedDemo />
      </Demo>

      <Demo title="倒计时 Countdown" name="countdown">
        <Text className="dev-demo__note">
          请在 <Countdown until={until} className="dev-countdown" /> 内完成支付
        </Text>
      </Demo>
    </Screen>
  );
}
