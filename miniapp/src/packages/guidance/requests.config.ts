export default definePageConfig({ navigationBarTitleText: '单位申请', enablePullDownRefresh: true });
