/**
 * 为你推荐 (issue 15): the plug-in points. Platform knows no domain: a module contributes what it
 * knows of the citizen (`profile`, from its own records) and candidates from its own service
 * (`sources`); the recommendation module merges the profile, asks every source, ranks and explains.
 * A new domain (courses) adds one `recommendations` entry to its module descriptor.
 */

/** What the citizen's own records say; every field is optional, merged in module-list order. */
export interface RecommendationProfile {
  /** sports the citizen books or joins, most first (counts from their own history) */
  sports: { sport: string; count: number }[];
  /** the district they book in most (or their latest fitness test's) */
  district: string | null;
  /** whole years, from their own real-name data; null when none is known (then nobody claims it) */
  age: number | null;
  /** their latest fitness test's weakest items (lowest scores first) */
  weakItems: { item: string; labelZh: string; score: number }[];
}

export interface RecommendationContext {
  now: Date;
  /**
   * null when personalisation is off (PIPL art. 24): a source then answers a list based on no
   * personal characteristic, the same for every citizen (no location, no exclusion of their own
   * bookings, no history).
   */
  citizen: { userId: string; profile: RecommendationProfile; origin: { lat: number; lng: number } | null } | null;
  /** data-centre rollup: confirmed bookings per venue over the last 30 days (venues not listed: 0) */
  venuePopularity(venueIds: string[]): Promise<Map<string, number>>;
}

/** One candidate; `score` is the source's own explainable score (higher first), roughly 0–100. */
export interface RecommendationCandidate {
  kind: string;
  id: string;
  title: string;
  subtitle: string;
  reason: string;
  score: number;
  distanceM?: number;
  startsAt?: string;
  path: string;
}

export type RecommendationSource = (ctx: RecommendationContext) => Promise<RecommendationCandidate[]>;

export interface RecommendationPlugin {
  /** what this module's records say about the citizen (their own records only) */
  profile?(userId: string, now: Date): Promise<Partial<RecommendationProfile>>;
  /** candidate sources by name (e.g. `venue`, `guidance`, `event`, later `course`) */
  sources?: Record<string, RecommendationSource>;
}

/** What the recommendation module's service offers app.ts at composition. */
export interface RecommendationRegistry {
  register(moduleName: string, plugin: RecommendationPlugin): void;
}
