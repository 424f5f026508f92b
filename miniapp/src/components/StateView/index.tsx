import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import './index.scss';

/** Placeholder cards while a list loads. */
export function SkeletonList({ count = 3, className = 'list-loading' }: { count?: number; className?: string }) {
  return (
    <View className={className}>
      {Array.from({ length: count }, (_, i) => (
        <View key={i} className="skeleton-card">
          <View className="skeleton-card__line skeleton-card__line--title" />
          <View className="skeleton-card__line" />
          <View className="skeleton-card__line skeleton-card__line--short" />
        </View>
      ))}
    </View>
  );
}

interface StateProps {
  text: string;
  hint?: string;
  className?: string;
}

export function EmptyState({ text, hint, className = 'list-empty' }: StateProps) {
  return (
    <View className={`state-view state-view--empty ${className}`}>
      <View className="state-view__icon">空</View>
      <Text className="state-view__text">{text}</Text>
      {hint ? <Text className="state-view__hint">{hint}</Text> : null}
    </View>
  );
}

export function ErrorState({ text, hint, className = 'list-error', onRetry }: StateProps & { onRetry: () => void }) {
  return (
    <View className={`state-view state-view--error ${className}`}>
      <View className="state-view__icon">!</View>
      <Text className="state-view__text">{text}</Text>
      {hint ? <Text className="state-view__hint">{hint}</Text> : <View className="state-view__hint" />}
      <Button className="state-view__action retry-button" type="primary" fill="outline" onClick={onRetry}>
        重试
      </Button>
    </View>
  );
}
