// The name a misspelt one most likely meant, for "did you mean" in the
// constructs' messages about unknown props and the manifest validation's
// about unknown fields.

/** The known name a typo most likely meant: same letters in another case, or at most two edits away (fewer for short names). */
export function closest(key: string, known: readonly string[]): string | undefined {
  const sameCase = known.find(k => k.toLowerCase() === key.toLowerCase());
  if (sameCase) return sameCase;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(key.length / 3));
  for (const candidate of known) {
    const distance = editDistance(key, candidate, bestDistance);
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance with adjacent swaps, giving up beyond `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = i === 0 ? j : Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2][j - 2] + 1 : Infinity,
      );
    }
  }
  return d[a.length][b.length];
}
