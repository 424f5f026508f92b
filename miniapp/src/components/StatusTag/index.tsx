import { Text } from '@tarojs/components';
import './index.scss';

export type StatusTone = 'success' | 'warning' | 'danger' | 'info' | 'muted';

/** a shape beside the text, so the status never rests on colour alone */
const MARK: Record<StatusTone, string> = { success: '✓', warning: '!', danger: '✕', info: '•', muted: '–' };

interface StatusTagProps {
  /** the status in words (always shown) */
  text: string;
  tone: StatusTone;
  /** the page's own classes, e.g. 'booking-status booking-status--held' */
  className?: string;
  /** leave out the mark when the text stands in a row of marks already */
  plain?: boolean;
}

/** A status in words with a tone: colour helps, the text and mark carry the meaning. */
export default function StatusTag({ text, tone, className, plain }: StatusTagProps) {
  return (
    <Text className={`status-tag status-tag--${tone}${className ? ` ${className}` : ''}`} data-tone={tone}>
      {plain ? null : <Text className="status-tag__mark">{MARK[tone]}</Text>}
      {text}
    </Text>
  );
}
