import type { Page } from '../../hooks/usePagedList';
import type { Person } from '../../components/PersonPicker';

/** Demo data of the component page (dev builds only). */
export const DEMO_VOUCHERS = [
  {
    id: 'v-amount',
    name: '冬季全民健身消费券',
    kind: 'amount' as const,
    faceFen: 1000,
    percentOff: 0,
    maxDiscountFen: 0,
    minSpendFen: 5000,
    sports: [],
    venueIds: [],
    validFrom: '2026-01-01T00:00:00Z',
    validTo: '2027-12-31T15:59:59Z',
  },
  {
    id: 'v-percent',
    name: '羽毛球八折券',
    kind: 'percent' as const,
    faceFen: 0,
    percentOff: 20,
    maxDiscountFen: 3000,
    minSpendFen: 0,
    sports: ['badminton' as const],
    venueIds: [],
    validFrom: '2026-01-01T00:00:00Z',
    validTo: '2027-06-30T15:59:59Z',
  },
];

export const DEMO_PEOPLE: Person[] = [
  { id: 'p1', name: '王芳', relation: '本人', idMasked: '1101**********1234' },
  { id: 'p2', name: '王建国', relation: '父亲', idMasked: '1101**********5678' },
  { id: 'p3', name: '王小明', relation: '孩子' },
];

const ROWS = Array.from({ length: 8 }, (_, i) => ({ id: `row-${i + 1}`, title: `第 ${i + 1} 条记录` }));

/** a cursor-paged list served from memory, a little late like a network */
export function demoPage(cursor: string | null, limit: number): Promise<Page<{ id: string; title: string }>> {
  const start = cursor ? ROWS.findIndex((r) => r.id === cursor) + 1 : 0;
  const items = ROWS.slice(start, start + limit);
  const nextCursor = start + limit < ROWS.length ? items[items.length - 1].id : null;
  return new Promise((resolve) => setTimeout(() => resolve({ items, nextCursor }), 300));
}
