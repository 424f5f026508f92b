import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import type { Voucher, VoucherBatch } from '@citysport/shared';
import { sportLabel } from '../../utils/booking';
import { faceText, headline, scopeText, termsLines, validityText } from './format';
import './index.scss';

type CardVoucher = Pick<Voucher, 'kind' | 'faceFen' | 'percentOff' | 'maxDiscountFen' | 'minSpendFen' | 'name' | 'validFrom' | 'validTo'> &
  Pick<VoucherBatch, 'sports' | 'venueIds'> & { venueNames?: string[] };

interface VoucherCardProps {
  voucher: CardVoucher;
  /** class stem of the card and its parts: 'voucher-card' (list, claim centre) or 'voucher-option' (pay sheet) */
  block?: 'voucher-card' | 'voucher-option';
  className?: string;
  /** under the validity line, e.g. 本单可减¥10.00 */
  note?: ReactNode;
  /** the right-hand side: a claim button, a status, a tick */
  side?: ReactNode;
  onClick?: () => void;
  id?: string;
  status?: string;
  applicable?: boolean;
  nameClassName?: string;
}

/** A consumption voucher: its figure and terms on the left, name, scope and validity beside. */
export default function VoucherCard({
  voucher: v,
  block = 'voucher-card',
  className,
  note,
  side,
  onClick,
  id,
  status,
  applicable,
  nameClassName,
}: VoucherCardProps) {
  const face = faceText(v);
  return (
    <View
      className={`${block}${className ? ` ${className}` : ''}`}
      data-id={id}
      data-status={status}
      data-applicable={applicable === undefined ? undefined : String(applicable)}
      onClick={onClick}
    >
      <View className={`${block}__face`}>
        <Text className={`${block}__value`}>
          {v.kind === 'amount' ? <Text className={`${block}__unit`}>¥</Text> : null}
          {face.value}
          {v.kind === 'percent' ? <Text className={`${block}__unit`}>折</Text> : null}
        </Text>
        {termsLines(v).map((t) => (
          <Text key={t} className={`${block}__terms${block === 'voucher-card' ? ' voucher-card__min' : ''}`}>
            {t}
          </Text>
        ))}
      </View>
      <View className={`${block}__body`}>
        <Text className={`${block}__name${nameClassName ? ` ${nameClassName}` : ''}`}>{v.name}</Text>
        <Text className={`${block}__headline`}>{headline(v)}</Text>
        <Text className={block === 'voucher-card' ? 'voucher-card__scope' : 'voucher-option__valid'}>{scopeText(v, sportLabel)}</Text>
        <Text className={`${block}__valid`}>{validityText(v)}</Text>
        {note ?? null}
      </View>
      {side ?? null}
    </View>
  );
}
