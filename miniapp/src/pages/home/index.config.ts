export default definePageConfig({
  navigationBarTitleText: '城市体育',
});
