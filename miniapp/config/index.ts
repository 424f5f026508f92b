import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

/**
 * Build-time settings (read from the shell when `taro build` runs):
 * - TARO_APP_API_BASE    API base URL. h5 default '/api/v1' (the h5 preview proxies /api to the
 *                        cloud); weapp default 'http://127.0.0.1:3000/api/v1'.
 * - TARO_APP_WECHAT_MOCK 'true' | 'false'. When true the login page lists the seeded demo accounts
 *                        and logs in with code `mock:<openid>` (WeChat stand-in). Default: on only in
 *                        development builds (--watch) and builds that say `--mode mock` (the h5 build
 *                        for the tests and `npm start`); off otherwise, so a release never shows it.
 */
const isH5 = process.env.TARO_ENV === 'h5';
const apiBase = process.env.TARO_APP_API_BASE || (isH5 ? '/api/v1' : 'http://127.0.0.1:3000/api/v1');
function wechatMockFor(mode: string | undefined): boolean {
  const said = process.env.TARO_APP_WECHAT_MOCK;
  if (said !== undefined && said !== '') return !/^(0|false|no|off)$/i.test(said);
  return mode === 'mock' || process.env.NODE_ENV === 'development';
}

/** The repo's `shared` workspace is TypeScript source: Taro must compile it (TOOLCHAIN.md). */
const sharedDir = path.resolve(__dirname, '../../shared');

type DesignInput = string | number | { file?: string } | undefined;

export default defineConfig<'webpack5'>(async (merge, { mode }) => {
  const wechatMock = wechatMockFor(mode);
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'citysport',
    date: '2025-11-21',
    /** NutUI is drawn at 375; our own styles at 750 (ARCHITECTURE.md, "Mini-program"). */
    designWidth(input?: DesignInput) {
      const file = typeof input === 'object' && input ? input.file : undefined;
      if (file && file.replace(/\\+/g, '/').indexOf('@nutui') > -1) return 375;
      return 750;
    },
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV || 'weapp'}`,
    plugins: [],
    env: {
      TARO_APP_API_BASE: JSON.stringify(apiBase),
      TARO_APP_WECHAT_MOCK: JSON.stringify(wechatMock ? 'true' : 'false'),
    },
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [sharedDir] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
      miniCssExtractPluginOption: { ignoreOrder: true },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      compile: { include: [sharedDir] },
      router: { mode: 'hash' },
      /** let NutUI's styles through postcss so they get the same px→rem treatment as ours */
      esnextModules: ['nutui-react'],
      output: {
        filename: 'js/[name].[hash:8].js',
        chunkFilename: 'js/[name].[chunkhash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[hash].css',
        chunkFilename: 'css/[name].[chunkhash].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  };

  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig);
  }
  return merge({}, baseConfig, prodConfig);
});
