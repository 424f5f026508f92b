import type { PropsWithChildren } from 'react';
import { View } from '@tarojs/components';
import { useElderMode } from '../../stores/elder';

interface ScreenProps {
  className?: string;
}

/** Root of every page: background, padding, type scale, and the 关怀模式 (`elder`) class. */
export default function Screen({ className, children }: PropsWithChildren<ScreenProps>) {
  const elder = useElderMode();
  const cls = ['screen', elder ? 'elder' : '', className ?? ''].filter(Boolean).join(' ');
  return <View className={cls}>{children}</View>;
}
