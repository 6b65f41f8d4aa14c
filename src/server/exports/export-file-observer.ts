import type { ExportFileMetadata, FilePacket } from '../../contract/export-file.ts';

/**
 * Sees an export file as the writer builds it, without a second pass over the data (the check
 * values, the content hash): the head once, then every packet in file id order. Called
 * synchronously on the writer's path, so an observer must be cheap per packet and must not keep the
 * packets (the writer's memory is two pages).
 */
export interface ExportFileObserver {
  /** The five metadata keys, before any packet. */
  onHead(head: ExportFileMetadata): void;
  /**
   * One file packet, in file id order. `text` is the packet's JSON exactly as written to the file
   * (the writer serialises each packet once; an observer that hashes text reuses it rather than
   * serialising again); absent when the caller has none.
   */
  onPacket(fileId: number, packet: FilePacket, text?: string): void;
}
