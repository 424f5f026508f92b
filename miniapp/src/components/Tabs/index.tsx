import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import './index.scss';

export interface TabItem<K extends string> {
  key: K;
  label: string;
  /** e.g. a count: '可用(2)' */
  badge?: ReactNode;
}

interface TabsProps<K extends string> {
  items: TabItem<K>[];
  value: K;
  onChange: (key: K) => void;
  /** the page's class for the bar, e.g. 'mine-tabs' (without it the component's own look applies) */
  className?: string;
  /** the page's class stems for a tab (space-separated): '<stem>', '<stem>--<key>', '<stem>--current' */
  itemClass?: string;
  /** the modifier the page's styles know for the current tab (default 'current') */
  currentSuffix?: string;
}

/** A row of tabs; the current one is marked by weight and an underline, not by colour alone. */
export default function Tabs<K extends string>({ items, value, onChange, className, itemClass, currentSuffix = 'current' }: TabsProps<K>) {
  const own = !className;
  return (
    <View className={`tabs${own ? ' tabs--default' : ` ${className}`}`}>
      {items.map((t) => {
        const current = t.key === value;
        // every stem gets the modifiers: 'pay-tab voucher-tab' → pay-tab--current voucher-tab--current
        const stems = itemClass ? itemClass.split(' ').filter(Boolean) : [];
        const cls = [
          'tabs__item',
          ...stems,
          ...stems.map((s) => `${s}--${t.key}`),
          ...(current ? ['tabs__item--current', ...stems.map((s) => `${s}--${currentSuffix}`)] : []),
        ].join(' ');
        return (
          <View key={t.key} className={cls} data-id={t.key} aria-selected={current} onClick={() => (current ? undefined : onChange(t.key))}>
            <Text>
              {t.label}
              {t.badge ?? null}
            </Text>
          </View>
        );
      })}
    </View>
  );
}
