export default definePageConfig({ navigationBarTitleText: '发布指导活动' });
