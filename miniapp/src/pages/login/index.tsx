import { useState } from 'react';
import { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { IS_H5, WECHAT_MOCK } from '../../api/config';
import Screen from '../../components/Screen';
import { DEMO_ACCOUNTS, leaveLogin, loginAsDemo, loginWithWechat } from '../../stores/session';
import './index.scss';

export default function LoginPage() {
  const { params } = useRouter();
  const redirect = params.redirect ? decodeURIComponent(params.redirect) : undefined;
  const [busy, setBusy] = useState<string | null>(null);

  // the page the user lands on is the confirmation: no message that 关怀模式 would keep on screen
  const done = () => leaveLogin(redirect);

  const run = async (key: string, login: () => Promise<unknown>) => {
    if (busy) return;
    setBusy(key);
    try {
      await login();
      done();
    } catch {
      /* the API client already showed a Chinese toast */
    } finally {
      setBusy(null);
    }
  };

  return (
    <Screen className="login-page">
      <View className="login-brand">
        <View className="login-brand__logo">体</View>
        <Text className="login-brand__name">城市体育</Text>
        <Text className="login-brand__slogan">全民健身 · 一站服务</Text>
      </View>

      {!IS_H5 ? (
        <Button
          className="login-wechat"
          type="primary"
          size="large"
          block
          loading={busy === 'wechat'}
          onClick={() => void run('wechat', () => loginWithWechat())}
        >
          微信一键登录
        </Button>
      ) : null}

      {WECHAT_MOCK ? (
        <View className="login-demo-section">
          <Text className="login-demo-section__title">演示账号登录</Text>
          <Text className="login-demo-section__hint">开发与测试环境：选择一个演示账号直接登录</Text>
          {DEMO_ACCOUNTS.map((a) => (
            <View
              key={a.openid}
              className={`login-demo login-${a.openid}${busy === a.openid ? ' login-demo--busy' : ''}`}
              data-openid={a.openid}
              onClick={() => void run(a.openid, () => loginAsDemo(a.openid))}
            >
              <View>
                <Text className="login-demo__label">{a.label}</Text>
                <Text className="login-demo__meta">
                  {a.openid} · {a.hint}
                </Text>
              </View>
              <Text className="login-demo__go">{busy === a.openid ? '登录中…' : '登录 ›'}</Text>
            </View>
          ))}
        </View>
      ) : null}

      {IS_H5 && !WECHAT_MOCK ? <View className="login-unavailable cs-card">请在微信中打开城市体育小程序登录</View> : null}
    </Screen>
  );
}
