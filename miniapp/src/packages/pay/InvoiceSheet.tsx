import { useEffect, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { RequestInvoiceSchema, type Invoice, type Order } from '@citysport/shared';
import { api } from '../../api/endpoints';
import { errorMessageZh } from '../../api/errors';
import Sheet from '../../components/Sheet';
import FormField from '../../components/FormField';
import { issueMessageZh } from '../../components/FormField/validate';
import { notify } from '../../stores/elder';
import { yuan } from './lib';

type BuyerType = 'person' | 'company';
const LABELS = { title: '发票抬头', taxId: '税号', email: '接收邮箱' } as const;
const newKey = () => `invoice-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** 申请开票: 抬头 (个人 / 单位), 税号 for a company (checked with its check character), the e-mail for the PDF. */
export default function InvoiceSheet({
  order,
  onClose,
  onDone,
}: {
  order: Order | null;
  onClose: () => void;
  onDone: (i: Invoice) => void;
}) {
  const [buyerType, setBuyerType] = useState<BuyerType>('person');
  const [form, setForm] = useState({ title: '', taxId: '', email: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof typeof LABELS, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // one key per filled-in request: a retry after a lost answer gets the same invoice
  const [key, setKey] = useState(newKey);

  useEffect(() => {
    setErrors({});
    setFailure(null);
    setBusy(false);
  }, [order]);

  const set = (field: keyof typeof form) => (e: { detail: { value: string } }) => {
    setForm((f) => ({ ...f, [field]: e.detail.value }));
    setKey(newKey());
  };

  const submit = async () => {
    if (!order || busy) return;
    const body = {
      buyerType,
      title: form.title,
      email: form.email,
      ...(buyerType === 'company' ? { taxId: form.taxId } : {}),
    };
    const parsed = RequestInvoiceSchema.safeParse(body, { jitless: true });
    if (!parsed.success) {
      const next: typeof errors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as keyof typeof LABELS;
        if (!LABELS[field] || next[field]) continue;
        next[field] = /[\u4e00-\u9fa5]/.test(issue.message) ? issue.message : issueMessageZh(issue, LABELS[field]);
      }
      setErrors(next);
      return;
    }
    setErrors({});
    setBusy(true);
    setFailure(null);
    try {
      const res = await api.pay.requestInvoice(order.id, parsed.data, key, { toast: false });
      notify('已提交开票申请，开具后可在订单详情查看', 2500);
      onDone(res.invoice!);
    } catch (e) {
      setBusy(false);
      setFailure(errorMessageZh(e));
    }
  };

  return (
    <Sheet
      open={!!order}
      title="申请开票"
      className="invoice-sheet"
      onClose={() => (busy ? undefined : onClose())}
      footer={
        <Button className="invoice-submit" type="primary" block loading={busy} onClick={() => void submit()}>
          提交申请
        </Button>
      }
    >
      {order ? (
        <View>
          <Text className="invoice-sheet__lead">
            开票金额 {yuan(order.payableFen - order.refundedFen)}（实付金额，消费券抵扣部分不开票）
          </Text>
          <View className="invoice-types">
            {(['person', 'company'] as const).map((t) => (
              <View
                key={t}
                className={`invoice-type invoice-type--${t}${buyerType === t ? ' invoice-type--current' : ''}`}
                onClick={() => setBuyerType(t)}
              >
                <Text>{t === 'person' ? '个人' : '单位'}</Text>
              </View>
            ))}
          </View>
          <FormField label={LABELS.title} required error={errors.title} hint={buyerType === 'person' ? '填写您的姓名' : '填写单位全称'}>
            <Input className="invoice-input invoice-title" value={form.title} maxlength={60} onInput={set('title')} />
          </FormField>
          {buyerType === 'company' ? (
            <FormField label={LABELS.taxId} required error={errors.taxId} hint="18 位统一社会信用代码">
              <Input className="invoice-input invoice-taxid" value={form.taxId} maxlength={20} onInput={set('taxId')} />
            </FormField>
          ) : null}
          <FormField label={LABELS.email} required error={errors.email} hint="电子发票 PDF 将发送至该邮箱">
            <Input className="invoice-input invoice-email" type="text" value={form.email} maxlength={80} onInput={set('email')} />
          </FormField>
          {failure ? <Text className="invoice-sheet__error">{failure}</Text> : null}
        </View>
      ) : null}
    </Sheet>
  );
}
