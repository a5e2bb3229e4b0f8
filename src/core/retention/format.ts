/** How retention writes ages, sizes and limits in reasons and tables (deterministic, locale-free). */

/** `0m`, `42m`, `5h 12m`, `3d 4h`. */
export function formatAge(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `512 B`, `3.2 KB`, `612.0 MB`, `1.5 GB` (binary units: 1 MB = 1,048,576 bytes, as `size_cap_mb`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A configured limit with its unit: `48 h`, `30 d`, `0.5 MB`. */
export function formatTtl(value: number, unit: string): string {
  return `${Number(value.toFixed(3))} ${unit}`;
}
