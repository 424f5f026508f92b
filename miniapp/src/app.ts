// must come first: configures zod before @citysport/shared builds its schemas
import './api/zod';
import { type PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { IS_H5 } from './api/config';
import { isLoggedIn, silentLogin } from './stores/session';
import './stores/elder';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // weapp: log in silently with Taro.login; h5 has no WeChat (its login page offers demo accounts)
    if (!IS_H5 && !isLoggedIn()) void silentLogin();
  });
  return children;
}

export default App;
