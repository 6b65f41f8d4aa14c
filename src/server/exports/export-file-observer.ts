import type { ExportFileMetadata, FilePacket } from '../../contract/export-file.ts';

/** Something that reads the export file as the writer builds it (check values, the content hash). */
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
