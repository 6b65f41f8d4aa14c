import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { describeExportFileStoreContract } from './export-file-store-contract.ts';
import type { ExportFileStoreHarness } from './export-file-store-contract.ts';
import { LocalExportStorage } from './local-export-storage.ts';

// The one storage suite (export-file-store-contract.ts), run against each store.

/** Every file under `root`, as paths relative to it. */
function filesUnder(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('LocalExportStorage', () => {
  describeExportFileStoreContract({
    presigns: false,
    listsUploadsInProgress: true,
    open: async (): Promise<ExportFileStoreHarness> => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-store-'));
      const store = LocalExportStorage.forDataDir(dataDir);
      await store.ensureReady();
      return {
        store,
        listEverything: () => Promise.resolve(filesUnder(store.root)),
        writeForeign: (name, body) => fs.promises.writeFile(path.join(store.root, name), body),
        close: () => fs.promises.rm(dataDir, { recursive: true, force: true }),
      };
    },
    outages: [
      {
        name: 'its folder is gone',
        cause: async (harness) => {
          await fs.promises.rm(harness.store.location, { recursive: true, force: true });
          return harness.store;
        },
        message: /ENOENT.*exports/,
      },
    ],
  });
});
