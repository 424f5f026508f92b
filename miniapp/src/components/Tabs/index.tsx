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
  /** the page's class stem for a tab: '<stem>', '<stem>--<key>', '<stem>--current' */
  itemClass?: string;
}

/** A row of tabs; the current one is marked by weight and an underline, not by colour alone. */
export default function Tabs<K extends string>({ items, value, onChange, className, itemClass }: TabsProps<K>) {
  const own = !className;
  return (
    <View className={`tabs${own ? ' tabs--default' : ` ${className}`}`}>
      {items.map((t) => {
        const current = t.key === value;
        const stem = itemClass ?? 'tabs__item';
        const cls = [
          'tabs__item',
          itemClass ? `${stem} ${stem}--${t.key}` : '',
          current ? `tabs__item--current${itemClass ? ` ${stem}--current` : ''}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        return (
          <View
            key={t.key}
            className={cls}
            data-key={t.key}
            aria-selected={current}
            onClick={() => (current ? undefined : onChange(t.key))}
          >
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
