/** How the benchmarks print: one line per figure, targets stated with whether they are met. */

export function figure(name: string, n: number, ms: number, unit: string, extra = ''): void {
  console.log(`${name.padEnd(48)} ${String(n).padStart(7)} ${unit.padEnd(8)} ${ms.toFixed(0).padStart(7)} ms  ${((n / ms) * 1000).toFixed(0).padStart(9)} ${unit}/s${extra ? `  ${extra}` : ''}`);
}

export interface Target {
  readonly name: string;
  /** What was measured, for the line (e.g. "231,000 events/s"), or undefined when it could not be. */
  readonly measured?: string;
  readonly met?: boolean;
}

export function targets(list: readonly Target[]): void {
  console.log('\ntargets');
  for (const t of list) console.log(`  ${t.name.padEnd(46)} ${(t.measured ?? 'not measured').padEnd(22)} ${t.met === undefined ? '-' : t.met ? 'met' : 'NOT MET'}`);
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

export function heading(text: string): void {
  console.log(`\n${text}`);
}
