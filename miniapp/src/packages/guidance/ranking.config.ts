export default definePageConfig({ navigationBarTitleText: '指导员活跃度排名' });
