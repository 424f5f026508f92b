import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { Voucher } from '@citysport/shared';
import Sheet from '../../components/Sheet';
import VoucherCard from '../../components/VoucherCard';
import { VOUCHERS_PAGE, yuan } from './lib';

/** A voucher the order could take: why not (null = usable) and how much it takes off. */
export interface VoucherOption {
  voucher: Voucher;
  reason: string | null;
  discount: number;
}

interface VoucherSheetProps {
  open: boolean;
  options: VoucherOption[];
  /** the voucher in use; undefined = 不使用消费券 */
  selectedId: string | undefined;
  /** null = 不使用消费券 */
  onChoose: (voucherId: string | null) => void;
  onClose: () => void;
}

/** 选择消费券: usable ones first (largest discount first), then the others with the reason. */
export default function VoucherSheet({ open, options, selectedId, onChoose, onClose }: VoucherSheetProps) {
  return (
    <Sheet open={open} title="选择消费券" className="voucher-sheet" onClose={onClose}>
      <View
        className={`voucher-option voucher-option--none${!selectedId ? ' voucher-option--selected' : ''}`}
        onClick={() => onChoose(null)}
      >
        <Text className="voucher-option__none-text">不使用消费券</Text>
        <View className="voucher-option__check">{!selectedId ? '✓' : ''}</View>
      </View>
      {options.map((o) => {
        const on = selectedId === o.voucher.id;
        return (
          <VoucherCard
            key={o.voucher.id}
            block="voucher-option"
            voucher={o.voucher}
            id={o.voucher.id}
            applicable={!o.reason}
            className={`${on ? 'voucher-option--selected' : ''}${o.reason ? ' voucher-option--disabled' : ''}`}
            note={
              o.reason ? (
                <Text className="voucher-option__reason">{o.reason}</Text>
              ) : (
                <Text className="voucher-option__save">本单可减{yuan(o.discount)}</Text>
              )
            }
            side={<View className="voucher-option__check">{on ? '✓' : ''}</View>}
            onClick={() => (o.reason ? undefined : onChoose(o.voucher.id))}
          />
        );
      })}
      {options.length === 0 ? <Text className="voucher-sheet__empty">暂无可用的消费券</Text> : null}
      <View
        className="voucher-sheet__claim"
        onClick={() => {
          onClose();
          void Taro.navigateTo({ url: `${VOUCHERS_PAGE}?tab=claim` });
        }}
      >
        <Text>去领券中心领取更多消费券 ›</Text>
      </View>
      <Text className="voucher-sheet__hint">适用运动和场馆以支付时校验为准</Text>
    </Sheet>
  );
}
