export default definePageConfig({ navigationBarTitleText: '指导员主页', enablePullDownRefresh: true });
