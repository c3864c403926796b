/** One `[SECTION]` of Fluent Bit's classic configuration format. */
export function renderFluentBitSection(name: string, settings: Array<[string, string]>): string {
  return [`[${name}]`, ...settings.map(([key, value]) => `    ${key.padEnd(18)} ${value}`)].join('\n');
}
