import { Text, View } from '@tarojs/components';

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

/** Reasons for closing and lifting: 2–200 characters (ManageReasonSchema). */
export function reasonError(reason: string): string | null {
  const r = reason.trim();
  if (r.length < 2) return '请填写原因（至少2个字）';
  if (r.length > 200) return '原因最多200个字';
  return null;
}
