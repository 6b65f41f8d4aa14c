import type { AppConfig } from '../config/env.ts';
import type { ExportFileStore } from './export-file-store.ts';
import { LocalImportUploads } from './import-uploads.ts';
import type { ImportUploadStorage } from './import-uploads.ts';
import { LocalExportStorage } from './local-export-storage.ts';
import { S3ExportStorage } from './s3-export-storage.ts';
import { S3ImportUploads } from './s3-import-uploads.ts';
import { parseS3StorageUrl, s3ClientOf } from './s3-settings.ts';
import type { S3Settings } from './s3-settings.ts';

// The storage EXPORT_STORAGE names. `main.ts` builds it once per process with `storagesOf`, so
// the API and the workers of one process share it, and one S3 client and its connection pool;
// `exportStoreOf` and `importUploadsOf` are the defaults of an app or worker built alone (tests).

/** The S3 settings of a config whose EXPORT_STORAGE is `s3://…`; undefined for the local disk. */
export function s3SettingsOf(config: AppConfig): S3Settings | undefined {
  if (config.EXPORT_STORAGE === 'local') return undefined;
  return {
    ...parseS3StorageUrl(config.EXPORT_STORAGE),
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  };
}

/** Where export files go: DATA_DIR/exports, or the S3 bucket and prefix. */
export function exportStoreOf(config: AppConfig): ExportFileStore {
  const settings = s3SettingsOf(config);
  if (settings === undefined) return LocalExportStorage.forDataDir(config.DATA_DIR);
  return new S3ExportStorage(s3ClientOf(settings), settings);
}

/**
 * Where imports' uploads are kept: DATA_DIR/imports, or `<prefix>imports/` in the same bucket, so an
 * upload received by one API process is read by a worker on another machine.
 */
export function importUploadsOf(config: AppConfig): ImportUploadStorage {
  const settings = s3SettingsOf(config);
  if (settings === undefined) return LocalImportUploads.forDataDir(config.DATA_DIR);
  return new S3ImportUploads(s3ClientOf(settings), settings);
}

/** Both storages of a process, on one S3 client when they are in a bucket. */
export interface ProcessStorages {
  exports: ExportFileStore;
  imports: ImportUploadStorage;
}

/** The export files' and import uploads' storage of a process (see the module comment). */
export function storagesOf(config: AppConfig): ProcessStorages {
  const settings = s3SettingsOf(config);
  if (settings === undefined)
    return {
      exports: LocalExportStorage.forDataDir(config.DATA_DIR),
      imports: LocalImportUploads.forDataDir(config.DATA_DIR),
    };
  const client = s3ClientOf(settings);
  return {
    exports: new S3ExportStorage(client, settings),
    imports: new S3ImportUploads(client, settings),
  };
}
