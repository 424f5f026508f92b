export default definePageConfig({ navigationBarTitleText: '自助售票' });
