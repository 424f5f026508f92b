export default definePageConfig({
  navigationBarTitleText: '课时考勤',
});
