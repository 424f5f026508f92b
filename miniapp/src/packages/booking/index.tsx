import { useEffect } from 'react';
import Taro from '@tarojs/taro';
import { Text } from '@tarojs/components';
import Screen from '../../components/Screen';

/** The booking subpackage's entry: 我的预订 (old links to /packages/booking/index land here). */
export default function BookingPage() {
  useEffect(() => {
    void Taro.redirectTo({ url: '/packages/booking/mine' });
  }, []);
  return (
    <Screen className="page-booking">
      <Text className="cs-muted">正在打开我的预订…</Text>
    </Screen>
  );
}
