import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import { defaultSampleCount, maxSampleSeed } from '../../contract/export-sample.ts';
import type {
  ExportSampleResponse,
  exportSampleQuerySchema,
} from '../../contract/export-sample.ts';
import { ApiError } from '../http/api-error.ts';
import { UnreadableUploadError } from '../imports/import-reader.ts';
import type { ExportStorage } from '../storage/export-storage.ts';
import { UnreadableExportFileError, samplePackets } from './export-sample-reader.ts';
import type { SampleRequest } from './export-sample-reader.ts';
import type { ExportProject, ExportService } from './export-service.ts';

// The spot-check's sample of a complete export: the export service's refusals (404, 409 while not
// complete or failed), then the packets read from the stored file.

/** A validated sample query. */
export type ExportSampleInput = z.output<typeof exportSampleQuerySchema>;

/** Reads the sample `input` asks for from export `exportId`'s stored file. */
export async function readExportSample(
  service: ExportService,
  storage: ExportStorage,
  project: ExportProject,
  exportId: number,
  input: ExportSampleInput,
): Promise<ExportSampleResponse> {
  const { row } = await service.requireComplete(project, exportId);
  const key = row.storage_key;
  if (key === null || (await storage.stat(key)) === null) {
    throw new ApiError(
      'not_found',
      `The file of export ${exportId} is missing from the server's storage. Generate the export again.`,
    );
  }
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
    sampled = await samplePackets(() => storage.openRead(key), request);
  } catch (error) {
    if (error instanceof UnreadableExportFileError || error instanceof UnreadableUploadError) {
      throw new ApiError(
        'internal',
        `The stored file of export ${exportId} cannot be read as an export file: ${error.message}. Generate the export again.`,
      );
    }
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
