import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportFileSchema } from '../src/contract/export-file.ts';
import { ImportFileCheck } from '../src/server/imports/import-file-check.ts';
import { writeImportFile } from './import-file-generator.ts';

// The benchmark's import file must be one annex would accept: valid against the contract (check
// values included) and through the upload check.

describe('the generated import file', () => {
  it('is a valid Diffgram JSON 1.0 file with every file type', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-import-gen-'));
    try {
      const outPath = path.join(dir, 'generated.json');
      const generated = await writeImportFile(outPath, { files: 120, instancesPerImage: 5 });
      const text = fs.readFileSync(outPath, 'utf8');
      expect(generated.sizeBytes).toBe(Buffer.byteLength(text));
      const parsed = exportFileSchema.safeParse(JSON.parse(text));
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      for (const type of ['"type":"image"', '"type":"video"', '"type":"text"'])
        expect(text).toContain(type);
      const check = new ImportFileCheck();
      check.write(text);
      expect(check.end().packetCount).toBe(120);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
