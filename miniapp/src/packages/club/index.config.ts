export default definePageConfig({
  navigationBarTitleText: '体育社团',
});
