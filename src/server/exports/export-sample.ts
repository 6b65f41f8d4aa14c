import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import { defaultSampleCount, maxSampleSeed } from '../../contract/export-sample.ts';
import type {
  ExportSampleResponse,
  exportSampleQuerySchema,
} from '../../contract/export-sample.ts';
import { ApiError } from '../http/api-error.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { UnreadableExportFileError } from './export-file-entries.ts';
import { samplePackets } from './export-sample-reader.ts';
import { requireStoredFile } from './export-stored-file.ts';
import type { SampleRequest } from './export-sample-reader.ts';
import type { ExportProject, ExportService } from './export-service.ts';

// The spot-check's sample of a complete export: the export service's refusals (404, 409 while not
// complete, failed or cancelled), the stored file's (404 when it is gone, 409 when it cannot be
// read), then the packets read from the stored file.

/** A validated sample query. */
export type ExportSampleInput = z.output<typeof exportSampleQuerySchema>;

/** Reads the sample `input` asks for from export `exportId`'s stored file. */
export async function readExportSample(
  service: ExportService,
  storage: ExportFileStore,
  project: ExportProject,
  exportId: number,
  input: ExportSampleInput,
): Promise<ExportSampleResponse> {
  const { row } = await service.requireComplete(project, exportId);
  const { key } = await requireStoredFile(storage, row);
  const request: SampleRequest =
    input.file_ids === undefined
      ? {
          kind: 'random',
          count: input.count ?? defaultSampleCount,
          seed: input.seed ?? randomInt(0, maxSampleSeed),
        }
      : { kind: 'file_ids', fileIds: input.file_ids };
  let sampled;
  try {
    sampled = await samplePackets(() => storage.openRead(key), exportId, request);
  } catch (error) {
    if (error instanceof UnreadableExportFileError) throw new ApiError('conflict', error.message);
    throw error;
  }
  const held = new Set(sampled.packets.map((packet) => packet.file.id));
  return {
    export_id: exportId,
    mode: request.kind,
    seed: request.kind === 'random' ? request.seed : null,
    file_count: sampled.fileCount,
    label_map: sampled.labelMap,
    label_colour_map: sampled.labelColourMap,
    files: sampled.packets,
    missing_file_ids:
      request.kind === 'file_ids' ? request.fileIds.filter((id) => !held.has(id)) : [],
  };
}
