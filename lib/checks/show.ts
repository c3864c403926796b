// How a received value is shown in an error: by the constructs, which name
// the prop, and by the manifest validation, which names the field.

/**
 * Shows a received value unambiguously, escapes and all; an object with a
 * `toString()` of its own (such as a FluentBitFile) as that, and one JSON
 * cannot show (a construct, with its cycles) by its type.
 */
export function show(value: unknown): string {
  // JSON has no NaN or Infinity: it would show them as null.
  if (typeof value === 'number') {
    return String(value);
  }
  // A factory passed uncalled (`LogShipper.stream` for `LogShipper.stream()`): its name, not its source.
  if (typeof value === 'function') {
    return `the function ${value.name || '(anonymous)'} (not called)`;
  }
  // A mapping read from YAML may have a key "toString": that is not a method.
  if (value && typeof value === 'object' && typeof value.toString === 'function'
    && value.toString !== Object.prototype.toString && !Array.isArray(value)) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return `a ${(value as object).constructor?.name ?? 'value'} that cannot be shown as JSON`;
  }
}

/** The most of a value `showBrief` shows. */
export const SHOW_BRIEF_MAX_CHARS = 200;

/**
 * As `show`, cut after 200 characters: for a report that names the field
 * already, where the value only needs to be recognized.
 */
export function showBrief(value: unknown): string {
  const text = show(value);
  return text.length > SHOW_BRIEF_MAX_CHARS ? `${text.slice(0, SHOW_BRIEF_MAX_CHARS)}...` : text;
}
