export default definePageConfig({ navigationBarTitleText: '组件示例（开发）' });
