import { describe, expect, it } from 'vitest';
import { diffgramToFileRequestSchema } from '../../contract/diffgram-api.ts';
import type { DiffgramToFileRequest } from '../../contract/diffgram-api.ts';
import { ApiError } from '../http/api-error.ts';
import { exportInputFromDiffgram } from './diffgram-export-settings.ts';

// A Diffgram `to_file` body read as annex's settings, Diffgram's meanings kept.

const defaultDirectory = 7;

function settingsOf(
  body: DiffgramToFileRequest,
  defaultDirectoryId: number | null = defaultDirectory,
) {
  return exportInputFromDiffgram(diffgramToFileRequestSchema.parse(body), defaultDirectoryId);
}

function refusalOf(
  body: DiffgramToFileRequest,
  defaultDirectoryId: number | null = defaultDirectory,
) {
  try {
    settingsOf(body, defaultDirectoryId);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('exportInputFromDiffgram', () => {
  it('reads the SDK’s job.generate_export() body: all files, wait, data', () => {
    expect(
      settingsOf({
        job_id: 3,
        kind: 'Annotations',
        source: 'job',
        file_comparison_mode: 'latest',
        directory_id: null,
        masks: false,
        ann_is_complete: null,
        return_type: 'data',
        wait_for_export_generation: true,
      }),
    ).toEqual({
      source: 'job',
      job_id: 3,
      ann_is_complete: false,
      include_removed: false,
      wait_for_export_generation: true,
      return_type: 'data',
    });
  });

  it('defaults a bare body as the SDK does: source job, wait, data', () => {
    expect(settingsOf({ job_id: 3 })).toMatchObject({
      source: 'job',
      wait_for_export_generation: true,
      return_type: 'data',
      ann_is_complete: false,
    });
  });

  it('ann_is_complete true is completed files only', () => {
    expect(settingsOf({ job_id: 3, ann_is_complete: true }).ann_is_complete).toBe(true);
  });

  it('source directory: its directory_id, else the default directory; job_id ignored', () => {
    expect(settingsOf({ source: 'directory', directory_id: 9, job_id: 3 })).toMatchObject({
      source: 'directory',
      directory_id: 9,
    });
    const fallback = settingsOf({ source: 'directory', directory_id: null, job_id: null });
    expect(fallback).toMatchObject({ source: 'directory', directory_id: defaultDirectory });
    expect(fallback).not.toHaveProperty('job_id');
  });

  it('refuses, in words, what annex cannot do', () => {
    expect(refusalOf({ job_id: 3, kind: 'Media' }).message).toMatch(
      /kind "Media" is not supported/,
    );
    expect(refusalOf({ job_id: 3, masks: true }).message).toMatch(/^Masks are not supported/);
    expect(refusalOf({ job_id: 3, ann_is_complete: false }).message).toMatch(
      /ann_is_complete=False/,
    );
    expect(refusalOf({ source: 'job' }).message).toMatch(/^job_id is required/);
    expect(refusalOf({ source: 'task' }).message).toMatch(/^task_id is required/);
    expect(refusalOf({ source: 'directory' }, null).message).toMatch(/no default directory/);
  });
});
