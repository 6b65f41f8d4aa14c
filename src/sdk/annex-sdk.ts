// The SDK's public entry, what `import { Project } from 'annex'` reads (package.json "exports").
// House style has no barrel files; this one is the deliberate exception: it is the package's front
// door, so a script depends on these names and not on the files behind them.

export {
  Project,
  ProjectDirectories,
  ProjectExports,
  ProjectImports,
  ProjectJobs,
} from './project-client.ts';
export type {
  ExportListOptions,
  ExportPage,
  ExportPageOptions,
  ImportPage,
  ImportPageOptions,
  ProjectOptions,
} from './project-client.ts';

export { Directory, Job } from './source-handles.ts';
export type {
  DataExportOptions,
  NoWaitExportOptions,
  TaskListOptions,
  TaskPage,
  TaskPageOptions,
  UrlExportOptions,
} from './source-handles.ts';
export type { GenerateExportOptions } from './export-generator.ts';

export { Export } from './export-handle.ts';
export { defaultPollMs, defaultWaitTimeoutMs } from './status-polling.ts';
export type {
  AccessDataOptions,
  DownloadOptions,
  DownloadProgress,
  DownloadResult,
  WaitOptions,
} from './export-handle.ts';
export type { ExportFileStream, FilePacketEntry } from './export-file-stream.ts';

export { Import } from './import-handle.ts';
export type { ImportWaitOptions } from './import-handle.ts';
export type {
  ImportFileOptions,
  ImportFileProgress,
  ImportRunProgress,
  ProjectImportFileOptions,
  UploadProgress,
} from './file-import.ts';
export { defaultAnnexHost } from './annex-http-client.ts';

export type { ApiKeyCredentials } from './api-credentials.ts';

export {
  AnnexError,
  AuthenticationError,
  ExportCancelledError,
  ExportFailedError,
  ExportNotReadyError,
  ExportTimeoutError,
  ImportFailedError,
  ImportTimeoutError,
  InvalidImportFileError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
} from './annex-errors.ts';
export type { AnnexErrorCode, AnnexErrorInit } from './annex-errors.ts';

// The contract types a script meets: the export as the API sends it, the file and its packets.
export type {
  Export as ExportRecord,
  ExportLink,
  ExportSource,
  ExportSourceRef,
  ExportStatus,
  ReturnType,
} from '../contract/exports.ts';
export type {
  Import as ImportRecord,
  ImportErrorMode,
  ImportProblem,
  ImportStage,
  ImportStatus,
} from '../contract/imports.ts';
export type { ChangesSince } from '../contract/exports.ts';
export type {
  CheckExample,
  CheckFinding,
  CheckWarning,
  ExportChecks,
} from '../contract/export-checks.ts';
export type {
  AnyInstance,
  ExportFile,
  ExportFileMetadata,
  ExportInfo,
  FilePacket,
  ImageFilePacket,
  Instance,
  LabelMap,
  TextFilePacket,
  VideoFilePacket,
  VideoFrameInstance,
} from '../contract/export-file.ts';
export type {
  DirectorySummary,
  JobSummary,
  JobTask,
  ProjectDetailResponse,
} from '../contract/projects.ts';
export type { ErrorCode, FieldIssue } from '../contract/errors.ts';
