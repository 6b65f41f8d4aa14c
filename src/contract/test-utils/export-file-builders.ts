import type { ExportInfo } from '../export-file.ts';

// Test data in the export file's shape, for the contract's own tests and for the rooms that read
// export files (the SDK's stream reader): one builder instead of a copy per test file.

/** An `export_info` of a completed-only directory export of the demo's Luckfrill; `overrides` change any field. */
export function buildExportInfo(overrides: Partial<ExportInfo> = {}): ExportInfo {
  return {
    id: 9,
    export_format_version: '1.0',
    created_time: '2024-03-05T08:00:00.000Z',
    kind: 'Annotations',
    source: 'directory',
    ann_is_complete: true,
    project: { name: 'Demo', project_string_id: 'demo' },
    directory: { id: 1, name: 'Luckfrill' },
    job: null,
    task: null,
    file_list_length: 3,
    user_created_email: 'a@example.com',
    instance_count: 4,
    include_removed: false,
    ...overrides,
  };
}
