import type { CSSProperties, PropsWithChildren } from 'react';
import { Text, View } from '@tarojs/components';
import { dismissNotice, useElderMode, useFontScale, useNotices } from '../../stores/elder';
import './index.scss';

interface ScreenProps {
  className?: string;
}

/**
 * Root of every page: background, padding, the design tokens, and the 关怀模式 (`elder`) class.
 * In elderly mode the page's messages show inline at its top instead of as toasts.
 */
export default function Screen({ className, children }: PropsWithChildren<ScreenProps>) {
  const elder = useElderMode();
  const fontScale = useFontScale();
  const notices = useNotices();
  const cls = ['screen', elder ? 'elder' : '', className ?? ''].filter(Boolean).join(' ');
  // WeChat's own font setting scales every --cs-fs-* token
  const style = fontScale !== 1 ? ({ '--cs-font-scale': String(fontScale) } as CSSProperties) : undefined;
  return (
    <View className={cls} style={style}>
      {elder
        ? notices.map((n) => (
            <View key={n.id} className="screen-notice" role="status" aria-live="polite">
              <Text className="screen-notice__text">{n.text}</Text>
              <View className="screen-notice__close" role="button" onClick={() => dismissNotice(n.id)}>
                知道了
              </View>
            </View>
          ))
        : null}
      {children}
    </View>
  );
}
