// A byte count as a person reads it, for the messages that state a size limit (a route's body
// limit, IMPORT_MAX_BYTES).

/** `10 GiB`, `512 KiB`, `37 bytes`: a limit as a person reads it. */
export function byteSizeWords(bytes: number): string {
  const units = ['GiB', 'MiB', 'KiB'] as const;
  for (const [index, unit] of units.entries()) {
    const size = 1024 ** (units.length - index);
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}
