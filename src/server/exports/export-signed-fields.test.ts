import { describe, expect, it } from 'vitest';
import {
  fileBlockSchema,
  imageBlockSchema,
  textBlockSchema,
  videoBlockSchema,
} from '../../contract/export-file.ts';
import { isSignedBlock, signedPacketFields } from './export-signed-fields.ts';

// The list both the content hash and the diff read: it must name the format's signed fields, all of
// them, in each block's own order (the content hash finds them in the packet text in that order).

const blocks = {
  file: fileBlockSchema,
  image: imageBlockSchema,
  video: videoBlockSchema,
  text: textBlockSchema,
};

describe('signedPacketFields', () => {
  it.each(Object.entries(blocks))(
    'names every URL and expiry of the %s block, in the block’s order',
    (block, schema) => {
      const keys = Object.keys(schema.shape);
      const signed = keys.filter((key) => /(^blob_url|signed_url|signed_expiry)$/.test(key));
      expect(isSignedBlock(block)).toBe(true);
      expect(signedPacketFields[block as keyof typeof signedPacketFields]).toEqual(signed);
    },
  );

  it('names no other block', () => {
    expect(Object.keys(signedPacketFields).sort()).toEqual(Object.keys(blocks).sort());
    expect(isSignedBlock('instance_list')).toBe(false);
    expect(isSignedBlock('toString')).toBe(false);
  });
});
