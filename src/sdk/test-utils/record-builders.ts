import type { Export as ExportRecord } from '../../contract/exports.ts';
import type { Import as ImportRecord } from '../../contract/imports.ts';

// Records as the API sends them, for unit tests of what the SDK and CLI make of a record without a
// server: each field can be set; the rest are those of a finished job.

/** An import record: complete, into "Street", with counts; `overrides` sets any field. */
export function importRecordOf(overrides: Partial<ImportRecord> = {}): ImportRecord {
  return {
    id: 7,
    project_string_id: 'demo',
    directory: { id: 3, name: 'Street' },
    directory_name: 'Street',
    on_error: 'fail',
    status: 'complete',
    stage: null,
    status_text: null,
    percent_complete: 100,
    original_filename: 'street.json',
    size_bytes: 2048,
    packet_count: 12,
    files_created: 10,
    files_updated: 2,
    files_skipped: 0,
    instances_created: 340,
    instances_updated: 5,
    instances_removed: 1,
    labels_created: 3,
    error_count: 0,
    errors: [],
    created_by: 'admin@annex.local',
    created_time: '2026-11-30T04:00:00.000Z',
    started_time: '2026-11-30T04:00:01.000Z',
    finished_time: '2026-11-30T04:00:09.000Z',
    ...overrides,
  };
}

/** An export record: complete, of directory "Street", all files; `overrides` sets any field. */
export function exportRecordOf(overrides: Partial<ExportRecord> = {}): ExportRecord {
  return {
    id: 12,
    project_string_id: 'demo',
    kind: 'Annotations',
    source: 'directory',
    directory: { id: 3, name: 'Street' },
    job: null,
    task: null,
    ann_is_complete: false,
    include_removed: true,
    status: 'complete',
    status_text: null,
    percent_complete: 100,
    file_list_length: 12,
    instance_count: 340,
    expected_file_count: null,
    size_bytes: 4096,
    sha256: 'ab'.repeat(32),
    file_name: '12_directory_Street.json',
    created_time: '2026-11-30T04:00:00.000Z',
    started_time: '2026-11-30T04:00:01.000Z',
    finished_time: '2026-11-30T04:00:02.000Z',
    created_by: 'admin@annex.local',
    changes_since: { files_changed: 0, files_added: 0, files_removed: 0 },
    checks: null,
    content_sha256: null,
    retry_of: null,
    retried_by: null,
    ...overrides,
  };
}
