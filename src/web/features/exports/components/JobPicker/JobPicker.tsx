import { Select, Stack, Text } from '@mantine/core';
import type { JobSummary } from '../../../../../contract/projects.ts';
import { formatCount, pluralize } from '../../../../lib/format.ts';

/** Props of JobPicker. */
export interface JobPickerProps {
  /** The project's jobs; undefined while they load. */
  jobs: JobSummary[] | undefined;
  /** Why the jobs could not be loaded, if they could not. */
  jobsError: string | undefined;
  value: number | null;
  onChange: (jobId: number | null) => void;
  className?: string;
}

function taskSummary(job: JobSummary): string {
  const counts = job.task_counts;
  return `${pluralize(job.task_count, 'task')} · ${formatCount(counts.complete)} complete · ${formatCount(counts.in_progress)} in progress · ${formatCount(counts.available)} available`;
}

/**
 * The Job source picker: searchable (a project may have hundreds of jobs), each option with its
 * task counts. A job id from the URL that is not one of the project's jobs is flagged, not dropped.
 */
export function JobPicker({ jobs, jobsError, value, onChange, className }: JobPickerProps) {
  const missing = value !== null && jobs !== undefined && !jobs.some((job) => job.id === value);
  return (
    <Select<number>
      label="Job"
      placeholder={jobs === undefined && jobsError === undefined ? 'Loading jobs…' : 'Search jobs'}
      className={className}
      searchable
      nothingFoundMessage={jobs?.length === 0 ? 'This project has no jobs' : 'No job matches'}
      disabled={jobs === undefined}
      data={(jobs ?? []).map((job) => ({ value: job.id, label: job.name }))}
      value={value}
      onChange={onChange}
      allowDeselect={false}
      error={
        jobsError ?? (missing ? `Job ${value} is not in this project: pick another.` : undefined)
      }
      renderOption={({ option }) => {
        const job = jobs?.find((item) => item.id === option.value);
        return (
          <Stack gap={0}>
            <Text size="sm">{option.label}</Text>
            {job !== undefined && (
              <Text size="xs" c="dimmed">
                {taskSummary(job)}
              </Text>
            )}
          </Stack>
        );
      }}
    />
  );
}
