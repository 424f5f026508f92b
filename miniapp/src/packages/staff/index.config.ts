export default definePageConfig({
  navigationBarTitleText: '入场核验',
});
