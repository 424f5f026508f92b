/** A page parameter as text: decoded once (h5 hands them over still encoded), '' when absent. */
export function param(v: string | undefined): string {
  if (!v) return '';
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
