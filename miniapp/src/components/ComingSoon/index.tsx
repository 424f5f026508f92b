import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import Screen from '../Screen';
import './index.scss';

interface ComingSoonProps {
  /** page title, e.g. 场馆详情 */
  title: string;
  /** one line saying what the page will offer */
  description: string;
  extra?: ReactNode;
  /** test hook, e.g. 'page-venue' */
  testId: string;
}

/** Skeleton page of a domain subpackage until the domain is built. */
export default function ComingSoon({ title, description, extra, testId }: ComingSoonProps) {
  return (
    <Screen className={`coming-soon-page ${testId}`}>
      <View className="coming-soon cs-card">
        <View className="coming-soon__badge">{title.slice(0, 1)}</View>
        <Text className="coming-soon__title">{title}</Text>
        <Text className="coming-soon__status">即将上线</Text>
        <Text className="coming-soon__desc">{description}</Text>
        {extra ? <View className="coming-soon__extra">{extra}</View> : null}
      </View>
    </Screen>
  );
}
