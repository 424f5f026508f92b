import type { PropsWithChildren, ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import './index.scss';

interface SheetProps {
  open: boolean;
  title: string;
  onClose: () => void;
  footer?: ReactNode;
  className?: string;
}

/** A bottom sheet over a dimmed page (inside <Screen>, so 关怀模式 applies). */
export default function Sheet({ open, title, onClose, footer, className, children }: PropsWithChildren<SheetProps>) {
  if (!open) return null;
  return (
    <View className={`sheet ${className ?? ''}`} catchMove>
      <View className="sheet__mask" onClick={onClose} />
      <View className="sheet__panel">
        <View className="sheet__head">
          <Text className="sheet__title">{title}</Text>
          <View className="sheet__close" onClick={onClose}>
            ✕
          </View>
        </View>
        <View className="sheet__body">{children}</View>
        {footer ? <View className="sheet__foot">{footer}</View> : null}
      </View>
    </View>
  );
}
