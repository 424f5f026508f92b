export default definePageConfig({ navigationBarTitleText: '申请成为指导员' });
