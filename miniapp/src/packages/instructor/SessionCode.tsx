import { useEffect, useRef, useState } from 'react';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { errorMessageZh } from '../../api/errors';
import { useNow } from '../../utils/time';
import QrCode from '../../components/QrCode';
import { guidanceApi } from '../../api/guidance';

/** fetch a new code this often at most (the server makes one every 30 s) … */
const REFRESH_MS = 25_000;
/** … and this long before the shown one expires */
const EARLY_MS = 3_000;
const RETRY_MS = 5_000;

interface Shown {
  code: string;
  shortCode: string;
  /** when to fetch the next one, by this phone's clock */
  refreshAt: number;
}

const spaced = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');

/**
 * The session's rotating check-in code on the instructor's phone: the QR (the ticket's QrCode) and
 * its 8 digits, fetched again before each 30-second step ends while the page is shown.
 */
export default function SessionCode({ sessionId }: { sessionId: string }) {
  const [visible, setVisible] = useState(true);
  const now = useNow(visible, 1000);
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const retryAt = useRef(0);
  useDidShow(() => setVisible(true));
  useDidHide(() => setVisible(false));

  useEffect(() => {
    if (process.env.TARO_ENV !== 'weapp' || !visible) return undefined;
    Taro.setKeepScreenOn({ keepScreenOn: true }).catch(() => undefined);
    return () => void Taro.setKeepScreenOn({ keepScreenOn: false }).catch(() => undefined);
  }, [visible]);

  useEffect(() => {
    if (!visible || busy.current || now < retryAt.current) return;
    if (shown && now < shown.refreshAt) return;
    busy.current = true;
    guidanceApi
      .sessionCode(sessionId)
      .then((r) => {
        const at = Date.now();
        // the phone's clock may differ from the server's: the wait is bounded either way
        const wait = Math.max(2_000, Math.min(REFRESH_MS, Date.parse(r.expiresAt) - at - EARLY_MS));
        setShown({ code: r.code, shortCode: r.shortCode, refreshAt: at + wait });
        setError(null);
      })
      .catch((e: unknown) => {
        retryAt.current = Date.now() + RETRY_MS;
        setError(errorMessageZh(e));
      })
      .finally(() => {
        busy.current = false;
      });
  }, [now, visible, shown, sessionId]);

  const seconds = shown ? Math.max(0, Math.ceil((shown.refreshAt + EARLY_MS - now) / 1000)) : 0;
  return (
    <View className="ins-code" data-short-code={shown?.shortCode ?? ''}>
      <View className="ins-code__qr-box">
        {shown ? (
          <QrCode className="ins-code__qr" text={shown.code} />
        ) : (
          <Text className="ins-code__placeholder">{error ?? '正在生成签到码…'}</Text>
        )}
      </View>
      {shown ? (
        <>
          <Text className="ins-code__label">数字签到码</Text>
          <Text className="ins-code__digits">{spaced(shown.shortCode)}</Text>
          <Text className="ins-code__refresh">{seconds} 秒后自动刷新 · 截图无效</Text>
        </>
      ) : null}
      {error && shown ? <Text className="gd-result--bad">{error}</Text> : null}
      <Text className="gd-card__line">请已报名的市民到场后用微信“扫一扫”扫描此码签到，无法扫码时可输入数字签到码。每人仅可签到一次。</Text>
    </View>
  );
}
