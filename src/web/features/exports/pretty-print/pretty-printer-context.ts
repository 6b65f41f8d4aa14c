import { createContext, useContext } from 'react';
import type { PrettyPrinter } from './pretty-printer.ts';

/**
 * Which pretty-printer the preview uses; null means the app's shared Web Worker. Tests provide one
 * served over a MessageChannel, so the same protocol code runs without a worker thread.
 */
export const PrettyPrinterContext = createContext<PrettyPrinter | null>(null);

/** The pretty-printer provided above, or null for the shared worker. */
export function usePrettyPrinterOverride(): PrettyPrinter | null {
  return useContext(PrettyPrinterContext);
}
