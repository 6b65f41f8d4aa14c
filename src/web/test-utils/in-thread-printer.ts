import { servePrettyPrint } from '../features/exports/pretty-print/pretty-print-protocol.ts';
import { PrettyPrinter } from '../features/exports/pretty-print/pretty-printer.ts';

/** A pretty-printer whose "worker" side runs the real protocol on this thread, over a MessageChannel. */
export function createInThreadPrettyPrinter(options: { chunkCharacters?: number } = {}): {
  printer: PrettyPrinter;
  close: () => void;
} {
  const channel = new MessageChannel();
  servePrettyPrint(channel.port2, options);
  const printer = new PrettyPrinter(channel.port1);
  channel.port1.start();
  channel.port2.start();
  return {
    printer,
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
}
