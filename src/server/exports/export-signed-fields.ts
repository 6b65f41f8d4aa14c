// The fields of a packet signed anew for every export: the media URLs and their expiry. An expiry
// is counted from the moment the file is written and a signer may put a fresh signature in the URL
// each time, so they never repeat between two exports of the same data. Both the content hash
// (export-content-hash.ts, which blanks them) and the diff (export-diff-packet.ts, which leaves them
// out) read this one list, so "the same content" means the same thing to both.

/**
 * The signed fields of each block of a packet, in the order the writer puts them in the block
 * (the content hash finds them in the packet's text in this order).
 */
export const signedPacketFields = {
  file: ['blob_url'],
  image: ['image_signed_url', 'image_signed_expiry'],
  video: ['mp4_video_signed_url', 'mp4_video_signed_expiry'],
  text: ['signed_url', 'signed_expiry'],
} as const satisfies Record<string, readonly string[]>;

/** A block of a packet that holds signed fields. */
export type SignedBlock = keyof typeof signedPacketFields;

/** Whether `field` of a packet is a block with signed fields (`file` or a media block). */
export function isSignedBlock(field: string): field is SignedBlock {
  return Object.hasOwn(signedPacketFields, field);
}
