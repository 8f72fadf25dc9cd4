/**
 * The largest whole number in `[low, high]` for which `fits` holds, or undefined when not even
 * `low` fits. A binary search: `fits` is taken to hold for every number below one it holds for (a
 * text cut shorter is never longer).
 */
export function largestFitting(low: number, high: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(low)) return undefined;
  let lo = low;
  let hi = Math.max(low, high);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
