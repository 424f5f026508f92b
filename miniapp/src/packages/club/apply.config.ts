export default definePageConfig({
  navigationBarTitleText: '申请成立社团',
});
