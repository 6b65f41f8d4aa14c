import type { Kysely } from 'kysely';
import type { WritableInstance } from '../../contract/annotation-writes.ts';
import type { TextToken } from '../../contract/export-file.ts';
import type { FieldIssue } from '../../contract/errors.ts';
import type { DialectName } from '../db/database.ts';
import type { Database, FileRow, IsoTime, NewInstance } from '../db/schema.ts';
import type { InstanceRow } from '../exports/export-file-packets.ts';
import { readTextTokens } from '../exports/export-file-stored-json.ts';
import { InstanceFieldProblem, instanceContent, sameContent } from './instance-rows.ts';
import type { InstanceContent } from './instance-rows.ts';
import {
  fileInstanceRows,
  fileSequenceRows,
  insertInstances,
  insertSequence,
  softDeleteInstances,
  updateInstanceContent,
} from './instance-queries.ts';
import type { ProjectIdMaps } from './project-id-maps.ts';
import { unprocessable } from './write-errors.ts';

/*
 * The single-file instance writer behind `PUT …/files/:id/instances`: the list sent is the whole of
 * what the file should hold. Sent ids of the file's instances are updated when their content
 * differs and kept when it is the same (`sameContent`); instances left out are soft-deleted (kept, as
 * Diffgram keeps them); instances without an id are created. Every instance is checked before
 * anything is written, and every problem is named by its path in one 422, so a script fixes them all
 * at once. The caller runs this inside its transaction, having locked the project's writes, and
 * stamps the file with a new counter value only when something changed.
 */

/** What a PUT did, by instance. */
export interface InstanceListChanges {
  /** New instances. */
  created: number;
  /** Instances whose content changed (restored ones included). */
  updated: number;
  /** Instances soft-deleted: left out of the list, or sent with `removed: true`. */
  removed: number;
  /** Instances sent exactly as stored. */
  unchanged: number;
}

/** True when the changes wrote anything. */
export function changedAnything(changes: InstanceListChanges): boolean {
  return changes.created + changes.updated + changes.removed > 0;
}

/** What the writer needs to know about where it writes. */
export interface InstanceListTarget {
  dialect: DialectName;
  /** The file, as read inside the writing transaction. */
  file: FileRow;
  /** The project's labels and attribute groups. */
  maps: ProjectIdMaps;
  /** The time stamped on every row written. */
  time: IsoTime;
}

/** One sent instance once checked: its content (sequence still to find) and the row it updates. */
interface CheckedInstance {
  index: number;
  sent: WritableInstance;
  content: InstanceContent;
  existing: InstanceRow | undefined;
}

/**
 * Replaces the file's instance list with `list`. Throws a 422 naming every bad field (nothing
 * written) when an instance does not fit the file or the project.
 */
export async function writeInstanceList(
  db: Kysely<Database>,
  target: InstanceListTarget,
  list: readonly WritableInstance[],
): Promise<InstanceListChanges> {
  const { file, time } = target;
  const existingRows = await fileInstanceRows(db, file.id, true);
  const existingById = new Map(existingRows.map((row) => [row.id, row]));
  const tokens = file.type === 'text' ? readTextTokens(file.text_tokens) : [];

  const issues: FieldIssue[] = [];
  const checked: CheckedInstance[] = [];
  const firstIndexOfId = new Map<number, number>();
  list.forEach((sent, index) => {
    const before = issues.length;
    const report = (field: string, message: string) =>
      issues.push({ field: `body.instance_list.${index}.${field}`, message });
    let existing: InstanceRow | undefined;
    if (sent.id !== undefined) {
      existing = existingById.get(sent.id);
      const earlier = firstIndexOfId.get(sent.id);
      if (existing === undefined)
        report(
          'id',
          `${sent.id} is not an instance of file ${file.id}; leave id out to create a new instance`,
        );
      else if (earlier !== undefined)
        report('id', `instance ${sent.id} is already at instance_list[${earlier}]; send it once`);
      else firstIndexOfId.set(sent.id, index);
    }
    checkPlacement(sent, file, tokens, report);
    if (sent.label_file_id !== null && !target.maps.hasLabel(sent.label_file_id))
      report(
        'label_file_id',
        `label ${sent.label_file_id} is not a label of this project; GET …/labels lists them and POST …/labels makes one`,
      );
    if (issues.length > before) return;
    try {
      checked.push({ index, sent, existing, content: instanceContent(sent, target.maps, null) });
    } catch (error) {
      if (!(error instanceof InstanceFieldProblem)) throw error;
      report(error.path.replaceAll(' › ', '.'), error.message);
    }
  });
  if (issues.length > 0) throw unprocessable(issues);

  const sequenceIds = await sequencesFor(db, file.id, checked);
  const changes: InstanceListChanges = { created: 0, updated: 0, removed: 0, unchanged: 0 };
  const newRows: NewInstance[] = [];
  for (const item of checked) {
    const content = { ...item.content, sequence_id: sequenceIds.get(item) ?? null };
    const { existing } = item;
    if (existing === undefined) {
      changes.created += 1;
      newRows.push({
        project_id: file.project_id,
        file_id: file.id,
        ...content,
        created_time: time,
        last_modified_time: time,
        source_instance_id: null,
      });
      continue;
    }
    if (sameContent(storedContent(existing), content)) {
      changes.unchanged += 1;
      continue;
    }
    if (existing.soft_deleted === 0 && content.soft_deleted === 1) changes.removed += 1;
    else changes.updated += 1;
    await updateInstanceContent(db, existing.id, content, time);
  }
  await insertInstances(db, target.dialect, newRows);

  const leftOut = existingRows
    .filter((row) => row.soft_deleted === 0 && !firstIndexOfId.has(row.id))
    .map((row) => row.id);
  await softDeleteInstances(db, leftOut, time);
  changes.removed += leftOut.length;
  return changes;
}

/** The content columns of a stored instance, to compare with what was sent. */
function storedContent(row: InstanceRow): InstanceContent {
  return {
    type: row.type,
    label_id: row.label_id,
    geometry: row.geometry,
    attribute_values: row.attribute_values,
    frame_number: row.frame_number,
    sequence_id: row.sequence_id,
    local_sequence_number: row.local_sequence_number,
    interpolated: row.interpolated === 1 ? 1 : 0,
    soft_deleted: row.soft_deleted === 1 ? 1 : 0,
  };
}

/**
 * Checks that an instance fits its file: frame fields only on a video, within its frames; a
 * sequence only on a frame, with a label; `text_token` only on a text, within its tokens.
 */
function checkPlacement(
  sent: WritableInstance,
  file: FileRow,
  tokens: readonly TextToken[],
  report: (field: string, message: string) => void,
): void {
  const onFrame = sent.frame_number !== undefined;
  if (file.type !== 'video') {
    const frameFields = {
      frame_number: sent.frame_number !== undefined,
      number: sent.number !== undefined && sent.number !== null,
      local_sequence_number:
        sent.local_sequence_number !== undefined && sent.local_sequence_number !== null,
      interpolated: sent.interpolated === true,
    };
    for (const [field, present] of Object.entries(frameFields)) {
      if (present)
        report(field, `${field} is for instances on video frames; file ${file.id} is ${file.type}`);
    }
  } else {
    if (
      sent.frame_number !== undefined &&
      file.frame_count !== null &&
      sent.frame_number >= file.frame_count
    )
      report(
        'frame_number',
        `frame ${sent.frame_number} is past the video's last frame (${file.frame_count - 1}; frames count from 0)`,
      );
    if (sent.number !== undefined && sent.number !== null) {
      if (!onFrame)
        report(
          'number',
          'a sequence holds instances on frames: give frame_number too, or leave number out',
        );
      else if (sent.label_file_id === null)
        report('number', 'a sequence follows one label: give the instance a label_file_id');
    }
    if (!onFrame && sent.local_sequence_number !== undefined && sent.local_sequence_number !== null)
      report('local_sequence_number', 'is for instances on frames: give frame_number too');
    if (!onFrame && sent.interpolated === true)
      report('interpolated', 'is for instances on frames: give frame_number too');
  }
  if (sent.type === 'text_token') {
    if (file.type !== 'text') {
      report('type', `text_token instances are for text files; file ${file.id} is ${file.type}`);
      return;
    }
    checkTokenSpan(sent, tokens, report);
  } else if (file.type === 'text' && sent.type !== 'global') {
    report(
      'type',
      `a text file holds text_token and global instances, not ${sent.type}; file ${file.id} is text`,
    );
  }
}

/** A `text_token` instance must name tokens of the file, and characters within its text. */
function checkTokenSpan(
  sent: Extract<WritableInstance, { type: 'text_token' }>,
  tokens: readonly TextToken[],
  report: (field: string, message: string) => void,
): void {
  const tokenIds = new Set(tokens.map((token) => token.id));
  const lastId = tokens.at(-1)?.id;
  const textEnd = tokens.reduce((end, token) => Math.max(end, token.end_char), 0);
  const range = lastId === undefined ? 'the file has no tokens' : `its tokens are 0 to ${lastId}`;
  for (const field of ['start_token', 'end_token'] as const) {
    if (!tokenIds.has(sent[field]))
      report(field, `token ${sent[field]} is not a token of the file; ${range}`);
  }
  if (sent.start_token > sent.end_token)
    report('end_token', `must not come before start_token (${sent.start_token})`);
  for (const field of ['start_char', 'end_char'] as const) {
    if (sent[field] < 0 || sent[field] > textEnd)
      report(field, `character ${sent[field]} is outside the text's tokens (0 to ${textEnd})`);
  }
  if (sent.start_char > sent.end_char)
    report('end_char', `must not come before start_char (${sent.start_char})`);
}

/**
 * The sequence of each instance that names one (`number`, per label, on this video), made when the
 * video has no such sequence yet. A new sequence's keyframes are the frames of its instances that
 * are drawn (not interpolated); an existing sequence is left as it is, so a list sent back unchanged
 * changes nothing.
 */
async function sequencesFor(
  db: Kysely<Database>,
  fileId: number,
  checked: readonly CheckedInstance[],
): Promise<Map<CheckedInstance, number>> {
  const onSequences = checked.filter(
    (item) =>
      item.sent.number !== undefined && item.sent.number !== null && item.content.label_id !== null,
  );
  const result = new Map<CheckedInstance, number>();
  if (onSequences.length === 0) return result;
  const keyOf = (labelId: number, number: number) => `${labelId}/${number}`;
  const known = new Map(
    (await fileSequenceRows(db, fileId)).map((row) => [keyOf(row.label_id, row.number), row.id]),
  );
  const planned = new Map<string, { labelId: number; number: number; items: CheckedInstance[] }>();
  for (const item of onSequences) {
    const labelId = item.content.label_id ?? 0;
    const number = item.sent.number ?? 0;
    const key = keyOf(labelId, number);
    const id = known.get(key);
    if (id !== undefined) {
      result.set(item, id);
      continue;
    }
    const plan = planned.get(key) ?? { labelId, number, items: [] };
    plan.items.push(item);
    planned.set(key, plan);
  }
  for (const plan of planned.values()) {
    const frames = (drawnOnly: boolean) =>
      [
        ...new Set(
          plan.items
            .filter((item) => !drawnOnly || item.content.interpolated === 0)
            .map((item) => item.content.frame_number ?? 0),
        ),
      ].sort((a, b) => a - b);
    const drawn = frames(true);
    const keyframes = drawn.length > 0 ? drawn : frames(false);
    const id = await insertSequence(db, {
      file_id: fileId,
      label_id: plan.labelId,
      number: plan.number,
      keyframe_list: JSON.stringify(keyframes),
      single_frame: frames(false).length === 1 ? 1 : 0,
    });
    for (const item of plan.items) result.set(item, id);
  }
  return result;
}
