import fs from 'node:fs';
import { openDatabase } from '../src/server/db/database.ts';
import { writeExportFile } from '../src/server/exports/export-file-writer.ts';
import { runImport } from '../src/server/imports/import-pipeline.ts';

// One measured import, in a process of its own so that its peak RSS is the importer's alone:
// `node --import tsx bench/import-child.ts <request JSON>`. It imports an export file into a new
// project of the same database and prints one line of JSON (`ImportMeasurement`) on stdout.

/** What the parent asks the child to import. */
export interface ImportRequest {
  /** `openDatabase` URL of the seeded database. */
  databaseUrl: string;
  /** The export file to import. */
  filePath: string;
  /** The project made to import into (`project_string_id`). */
  projectStringId: string;
  /** Where to write the export of what came in, for the round trip's check (the parent deletes it). */
  roundTripPath: string;
}

/** What one import measured. */
export interface ImportMeasurement {
  /** Files the import made. */
  files: number;
  /** Instances the import made. */
  instances: number;
  /** Size of the imported file. */
  bytes: number;
  /** Wall time of `runImport` (both passes: validating, then writing). */
  seconds: number;
  /** Of which the validating pass (reading every packet, writing nothing). */
  validatingSeconds: number;
  /** RSS just before the import, MiB. */
  baselineRssMiB: number;
  /** Peak RSS of the process (`resourceUsage().maxRSS`), MiB. */
  peakRssMiB: number;
  /** RSS sampled when the import passed 25, 50, 75 and 100 % of its progress, MiB: flat memory shows here. */
  rssAtQuartersMiB: number[];
  /**
   * The round trip, after the measured import: the imported directory exported the same way (all
   * files, no removed instances). Its check values must equal the imported file's.
   */
  roundTrip: { files: number; instances: number };
}

const mib = (bytes: number) => bytes / 1024 / 1024;

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('import-child needs its request as a JSON argument');
  const request = JSON.parse(raw) as ImportRequest;
  const database = await openDatabase(request.databaseUrl);
  try {
    const now = new Date().toISOString();
    const project = await database.db
      .insertInto('project')
      .values({
        project_string_id: request.projectStringId,
        name: request.projectStringId,
        default_directory_id: null,
        created_time: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const bytes = fs.statSync(request.filePath).size;
    global.gc?.();
    const baselineRss = process.memoryUsage().rss;
    const rssAtQuarters: number[] = [];
    let validatingEnded: bigint | undefined;
    const started = process.hrtime.bigint();
    const outcome = await runImport(
      database,
      { importId: 1, projectId: project.id, directoryName: 'Imported', onError: 'fail' },
      () => fs.createReadStream(request.filePath),
      bytes,
      {
        onProgress: (progress) => {
          if (progress.stage === 'writing' && validatingEnded === undefined)
            validatingEnded = process.hrtime.bigint();
          while (rssAtQuarters.length < 4 && progress.percent >= (rssAtQuarters.length + 1) * 25)
            rssAtQuarters.push(mib(process.memoryUsage().rss));
        },
      },
    );
    const ended = process.hrtime.bigint();
    if (outcome.status !== 'complete')
      throw new Error(`the import failed: ${outcome.statusText ?? 'no reason given'}`);
    // Before the round trip's export, so the peak is the import's alone.
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const directoryId = await database.db
      .selectFrom('directory')
      .select('id')
      .where('project_id', '=', project.id)
      .where('nickname', '=', 'Imported')
      .executeTakeFirstOrThrow();
    const roundTrip = await writeExportFile(
      database,
      {
        projectId: project.id,
        source: 'directory',
        sourceId: directoryId.id,
        annIsComplete: false,
        includeRemoved: false,
        exportId: 2,
        createdTime: new Date().toISOString(),
        createdBy: 'bench@annex.local',
      },
      request.roundTripPath,
    );
    const measurement: ImportMeasurement = {
      files: outcome.counts.files_created,
      instances: outcome.counts.instances_created,
      bytes,
      seconds: Number(ended - started) / 1e9,
      validatingSeconds: Number((validatingEnded ?? ended) - started) / 1e9,
      baselineRssMiB: mib(baselineRss),
      peakRssMiB,
      rssAtQuartersMiB: rssAtQuarters,
      roundTrip: { files: roundTrip.fileCount, instances: roundTrip.instanceCount },
    };
    process.stdout.write(`${JSON.stringify(measurement)}\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
