import { useEffect, useRef } from 'react';
import { Text } from '@tarojs/components';
import { hms, mmss, useNow } from '../../utils/time';

/** Milliseconds until `until` (ISO string or epoch ms), ticking every second; 0 once it has passed. */
export function useCountdown(until: string | number | null | undefined, onEnd?: () => void): number {
  const at = until === null || until === undefined ? NaN : typeof until === 'number' ? until : Date.parse(until);
  const now = useNow(Number.isFinite(at));
  const left = Number.isFinite(at) ? Math.max(0, at - now) : 0;
  // onEnd once per deadline, when the count reaches zero while shown
  const ended = useRef<number | null>(null);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;
  useEffect(() => {
    if (Number.isFinite(at) && left === 0 && ended.current !== at) {
      ended.current = at;
      endRef.current?.();
    }
  }, [at, left]);
  return left;
}

interface CountdownProps {
  until: string | number;
  /** 'mm:ss' for holds and payments, 'hh:mm:ss' for slot releases */
  format?: 'mmss' | 'hms';
  onEnd?: () => void;
  className?: string;
}

/** The time left until a deadline, as text that updates every second. */
export default function Countdown({ until, format = 'mmss', onEnd, className }: CountdownProps) {
  const left = useCountdown(until, onEnd);
  return <Text className={`countdown${className ? ` ${className}` : ''}`}>{format === 'hms' ? hms(left) : mmss(left)}</Text>;
}
