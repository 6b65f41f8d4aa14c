const numberFormat = new Intl.NumberFormat('en-US');

/** `1234` → `1,234`. */
export function formatCount(value: number): string {
  return numberFormat.format(value);
}

/** `1 file`, `37 files`, `1,200 files`. */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

const byteUnits = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in the largest unit that keeps the number at least 1, base 1024: `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${byteUnits[unit] ?? 'B'}`;
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const relativeSteps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.345],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** `2 minutes ago`, `yesterday`; anything under 10 seconds reads `just now`. */
export function formatRelativeTime(iso: string, now: number): string {
  let value = (new Date(iso).getTime() - now) / 1000;
  if (Math.abs(value) < 10) return 'just now';
  for (const [unit, size] of relativeSteps) {
    if (Math.abs(value) < size) return relativeFormat.format(Math.round(value), unit);
    value /= size;
  }
  return relativeFormat.format(Math.round(value), 'year');
}

const absoluteFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** A full local date and time, `28 Nov 2025, 17:43:02`. */
export function formatAbsoluteTime(iso: string | number): string {
  return absoluteFormat.format(new Date(iso));
}

const clockFormat = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium' });

/** A local time of day, `17:43:02`. */
export function formatClockTime(time: number): string {
  return clockFormat.format(new Date(time));
}
