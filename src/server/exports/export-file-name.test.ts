import { describe, expect, it } from 'vitest';
import { exportFileName } from './export-file-name.ts';

const createdTime = '2024-03-05T14:07:09.123Z';

describe('exportFileName', () => {
  it('follows the Naming of the format page for each source', () => {
    expect(
      exportFileName({ exportId: 17, source: 'directory', sourceName: 'Luckfrill', createdTime }),
    ).toBe(
      '17_diffgram_annotations__source_directory_Luckfrill_datetime_2024-03-05T14-07-09.123Z.json',
    );
    expect(
      exportFileName({ exportId: 3, source: 'job', sourceName: 'Video tracking', createdTime }),
    ).toBe(
      '3_diffgram_annotations__source_job_Video_tracking_datetime_2024-03-05T14-07-09.123Z.json',
    );
    expect(exportFileName({ exportId: 4, source: 'task', sourceName: 88, createdTime })).toBe(
      '4_diffgram_annotations__source_task_88_datetime_2024-03-05T14-07-09.123Z.json',
    );
  });

  it('writes the time in UTC with no colon', () => {
    const name = exportFileName({
      exportId: 1,
      source: 'job',
      sourceName: 'a',
      createdTime: '2024-03-05T16:07:09+02:00',
    });
    expect(name).toBe(
      '1_diffgram_annotations__source_job_a_datetime_2024-03-05T14-07-09.000Z.json',
    );
    expect(name).not.toContain(':');
  });

  it('makes any source name safe for a file system', () => {
    const name = (sourceName: string) =>
      exportFileName({ exportId: 1, source: 'directory', sourceName, createdTime });
    expect(name('../../etc/passwd')).toBe(
      '1_diffgram_annotations__source_directory_etc_passwd_datetime_2024-03-05T14-07-09.123Z.json',
    );
    expect(name('a/b\\c:d*e?f"g<h>i|j')).toContain(
      '_source_directory_a_b_c_d_e_f_g_h_i_j_datetime_',
    );
    expect(name('Night drives, März')).toContain('_source_directory_Night_drives_März_datetime_');
    expect(name('line\nbreak\u0000')).toContain('_source_directory_line_break_datetime_');
    expect(name('...')).toContain('_source_directory_unnamed_datetime_');
    expect(name('x'.repeat(500)).length).toBeLessThan(160);
  });

  it('rejects bad parts with a clear message', () => {
    expect(() =>
      exportFileName({ exportId: 0, source: 'job', sourceName: 'a', createdTime }),
    ).toThrow('exportId must be a positive integer, got 0');
    expect(() =>
      exportFileName({ exportId: 1, source: 'folder' as 'job', sourceName: 'a', createdTime }),
    ).toThrow('source must be one of directory, job, task, got "folder"');
    expect(() =>
      exportFileName({ exportId: 1, source: 'job', sourceName: 'a', createdTime: 'yesterday' }),
    ).toThrow('createdTime must be an ISO-8601 time, got "yesterday"');
  });
});
