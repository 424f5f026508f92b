import { Text, View } from '@tarojs/components';
import { ManageReasonSchema } from '@citysport/shared';
import { fieldError } from '../../components/FormField/validate';

/** 403: the user manages no venue, or not this one. */
export function Forbidden() {
  return (
    <View className="state-view manage-forbidden">
      <View className="state-view__icon manage-forbidden__icon">锁</View>
      <Text className="state-view__text">无权限</Text>
      <Text className="state-view__hint">仅场馆管理员可以使用此功能，如需开通请联系体育局管理员</Text>
    </View>
  );
}

/** Reasons for closing and lifting, checked with the very schema the endpoints parse (ManageReasonSchema). */
export const reasonError = (reason: string): string | null => fieldError(ManageReasonSchema, { reason }, 'reason', '原因');
