/** Main package: the four tabs and login. Every domain is a subpackage (ARCHITECTURE.md, "Mini-program"). */
const DOMAINS = [
  'venue',
  'booking',
  'pay',
  'ticket',
  'event',
  'guidance',
  'fitness-test',
  'club',
  'course',
  'staff',
  'admin',
  'manage',
  'instructor',
  'gate',
  'dashboard',
  'review',
  'feedback',
] as const;

/** Pages of a subpackage besides its `index`. */
const EXTRA_PAGES: Partial<Record<(typeof DOMAINS)[number], string[]>> = {
  booking: ['slots', 'confirm', 'mine', 'no-shows'],
  pay: ['result', 'orders', 'vouchers', 'order'],
  ticket: ['detail'],
  event: ['register', 'mine', 'draw', 'results', 'organiser', 'edit', 'certificate'],
  guidance: ['session', 'mine', 'review', 'ranking', 'requests', 'request', 'instructor', 'assign'],
  instructor: ['apply', 'publish', 'session', 'log', 'ratings'],
  'fitness-test': ['book', 'report', 'history', 'calc', 'staff'],
  club: ['detail', 'apply', 'mine', 'admin', 'review'],
  course: ['detail', 'enrol', 'mine', 'provider', 'publish', 'attendance'],
  gate: ['kiosk'],
  admin: ['reviews', 'credit', 'accounts', 'plans'],
  feedback: ['new', 'detail', 'inbox'],
};

/**
 * The component demos (packages/dev): in every h5 build and every development build, so anyone can
 * open #/packages/dev/index and see each shared component; never in a production weapp build.
 */
const WITH_DEV_KIT = process.env.TARO_ENV === 'h5' || process.env.NODE_ENV !== 'production';

export default defineAppConfig({
  pages: ['pages/home/index', 'pages/venues/index', 'pages/events/index', 'pages/me/index', 'pages/login/index'],
  subPackages: [
    ...DOMAINS.map((d) => ({ root: `packages/${d}`, name: d, pages: ['index', ...(EXTRA_PAGES[d] ?? [])] })),
    ...(WITH_DEV_KIT ? [{ root: 'packages/dev', name: 'dev', pages: ['index'] }] : []),
  ],
  preloadRule: {
    'pages/home/index': { network: 'all', packages: ['venue'] },
    'pages/venues/index': { network: 'all', packages: ['venue', 'booking'] },
    'pages/events/index': { network: 'all', packages: ['event'] },
    'pages/me/index': { network: 'all', packages: ['ticket', 'booking'] },
    'packages/venue/index': { network: 'all', packages: ['booking'] },
    'packages/booking/confirm': { network: 'all', packages: ['pay'] },
  },
  window: {
    // 'default' also makes the h5 build draw a title bar with a back button
    navigationStyle: 'default',
    navigationBarTitleText: '城市体育',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f4f6fa',
    backgroundTextStyle: 'light',
  },
  tabBar: {
    color: '#7a7e83',
    selectedColor: '#1677ff',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: [
      { pagePath: 'pages/home/index', text: '首页', iconPath: 'assets/tabbar/home.png', selectedIconPath: 'assets/tabbar/home-active.png' },
      {
        pagePath: 'pages/venues/index',
        text: '场馆',
        iconPath: 'assets/tabbar/venues.png',
        selectedIconPath: 'assets/tabbar/venues-active.png',
      },
      {
        pagePath: 'pages/events/index',
        text: '赛事',
        iconPath: 'assets/tabbar/events.png',
        selectedIconPath: 'assets/tabbar/events-active.png',
      },
      { pagePath: 'pages/me/index', text: '我的', iconPath: 'assets/tabbar/me.png', selectedIconPath: 'assets/tabbar/me-active.png' },
    ],
  },
  permission: {
    'scope.userLocation': { desc: '用于查找您附近的体育场馆并按距离排序' },
  },
  requiredPrivateInfos: ['getLocation'],
  lazyCodeLoading: 'requiredComponents',
});
