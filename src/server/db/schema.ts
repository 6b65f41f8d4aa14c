import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type {
  AttributeGroupKind,
  FileState,
  FileType,
  InstanceType,
  JobStatus,
  TaskStatus,
} from '../../contract/annotations.ts';
import type { AuditAction } from '../../contract/auth.ts';
import type { ProjectRole } from '../../contract/roles.ts';

// Conventions that keep one schema and one set of queries on SQLite and PostgreSQL alike:
// booleans are integers 0/1 (`Flag`), times are ISO-8601 UTC strings (they sort as text),
// and structured values are JSON text (`Json`), parsed with the contract's zod schemas on read.

/** A boolean stored as 0 or 1. */
export type Flag = 0 | 1;
/** JSON stored as text. */
export type Json = string;
/** An ISO-8601 UTC timestamp stored as text. */
export type IsoTime = string;

/** A project: the unit an export belongs to. */
export interface ProjectTable {
  id: Generated<number>;
  /** The URL-safe name scripts use (Diffgram's `project_string_id`). */
  project_string_id: string;
  name: string;
  /** The directory the panel opens on. */
  default_directory_id: number | null;
  created_time: IsoTime;
  /**
   * The project's change counter (migration 0006): advanced once by every transaction that changes
   * a file, never by anything else (`annotations/file-changes.ts`).
   */
  change_seq: Generated<number>;
}

/** A directory (Diffgram's dataset); a file can be in several. */
export interface DirectoryTable {
  id: Generated<number>;
  project_id: number;
  nickname: string;
  created_time: IsoTime;
  /** Memberships whose file is not removed; kept by triggers (migration 0004), never written by code. */
  file_count: Generated<number>;
  /** Of those, files with `ann_is_complete` = 1; kept by triggers (migration 0004). */
  completed_file_count: Generated<number>;
}

/** Which files a directory holds at its top level. */
export interface DirectoryFileTable {
  directory_id: number;
  file_id: number;
  /** The project's change counter when the file was put in the directory (migration 0006). */
  added_seq: Generated<number>;
}

/** A label (Diffgram's label file): its id is the `label_file_id` instances carry. */
export interface LabelTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  /** `#rrggbb`. */
  colour_hex: string;
}

/** An attribute group: a question asked of instances with certain labels, or of a whole file when global. */
export interface AttributeGroupTable {
  id: Generated<number>;
  project_id: number;
  kind: AttributeGroupKind;
  name: string;
  prompt: string;
  /** Asked of the whole file (a `global` instance) rather than of labelled instances. */
  is_global: Flag;
  min_value: number | null;
  max_value: number | null;
  default_value: string | null;
  created_time: IsoTime;
}

/** The labels an attribute group applies to. */
export interface AttributeGroupLabelTable {
  group_id: number;
  label_id: number;
}

/** One answer an attribute group offers. */
export interface AttributeTemplateTable {
  id: Generated<number>;
  group_id: number;
  name: string;
  display_order: number;
  archived: Flag;
}

/** A media file of a project. */
export interface FileTable {
  id: Generated<number>;
  project_id: number;
  type: FileType;
  original_filename: string;
  width: number | null;
  height: number | null;
  rotation_degrees: number | null;
  /** Video: frames per second as stored (after any conversion at import). */
  frame_rate: number | null;
  frame_count: number | null;
  /** Video: frames per second of the upload before conversion. */
  original_fps: number | null;
  fps_conversion_ratio: number | null;
  offset_in_seconds: number | null;
  /** Video clip: the frame of the original video this clip starts at (0 for an unsplit video). */
  global_frame_start: number | null;
  /** Video clip: the original video this clip was split from. */
  parent_file_id: number | null;
  /** Text: the tokens, as a JSON list of `{ id, text, start_char, end_char }`. */
  text_tokens: Json | null;
  /** Where the media is stored; the export signs it. */
  media_url: string;
  /** The file's own completion flag (not a task's status). */
  ann_is_complete: Flag;
  state: FileState;
  created_time: IsoTime;
  last_modified_time: IsoTime;
  /** The project's change counter at the file's last change: instances, completion, removal, media (migration 0006). */
  change_seq: Generated<number>;
  /** The project's change counter when the file was made (migration 0006). */
  created_seq: Generated<number>;
}

/** A job: a batch of tasks with a label schema. */
export interface JobTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  status: JobStatus;
  /** The label ids the job's annotators may use, as a JSON list. */
  label_schema: Json;
  created_time: IsoTime;
  /** All its tasks, whatever their status; this and the per-status counts below are kept by triggers (migration 0004). */
  task_count: Generated<number>;
  /** Its tasks in status `available`. */
  available_task_count: Generated<number>;
  /** Its tasks in status `in_progress`. */
  in_progress_task_count: Generated<number>;
  /** Its tasks in status `complete`. */
  complete_task_count: Generated<number>;
  /** Its tasks in status `archived`. */
  archived_task_count: Generated<number>;
}

/** A task: one file to annotate within a job. */
export interface TaskTable {
  id: Generated<number>;
  job_id: number;
  file_id: number;
  status: TaskStatus;
  created_time: IsoTime;
  /** The project's change counter when the task was made (migration 0006). */
  created_seq: Generated<number>;
}

/** A video sequence: one tracked object across frames. */
export interface SequenceTable {
  id: Generated<number>;
  file_id: number;
  label_id: number;
  /** The sequence's number within its label on this video. */
  number: number;
  /** The frames the annotator set by hand, as a JSON list of frame numbers. */
  keyframe_list: Json;
  single_frame: Flag;
}

/** An annotation on a file (or on one frame of a video, then within a sequence). */
export interface InstanceTable {
  id: Generated<number>;
  project_id: number;
  file_id: number;
  type: InstanceType;
  /** Null only for `global` instances, which carry file-level attributes. */
  label_id: number | null;
  /** The type-specific fields (contract `geometrySchemas`), as JSON. */
  geometry: Json;
  /** Attribute answers keyed by attribute-group id, as JSON, or null. */
  attribute_values: Json | null;
  /** Video: the frame within the clip. */
  frame_number: number | null;
  sequence_id: number | null;
  /** Video: the instance's position within its sequence. */
  local_sequence_number: number | null;
  /** Video: filled in between keyframes rather than drawn. */
  interpolated: Flag;
  /** Removed by an annotator; left out of exports unless asked for. */
  soft_deleted: Flag;
  created_time: IsoTime;
  last_modified_time: IsoTime;
  /** The instance id in the file it was imported from, so a re-import updates it in place (migration 0006). */
  source_instance_id: number | null;
}

/** Export lifecycle states; `complete`, `failed` and `cancelled` are final. */
export type ExportStatus = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';

/** An export: a durable request, its progress, and the file it produced. */
export interface ExportTable {
  id: Generated<number>;
  project_id: number;
  kind: 'Annotations';
  source: 'directory' | 'job' | 'task';
  directory_id: number | null;
  job_id: number | null;
  task_id: number | null;
  /** Completed files only (1, the default) or all files (0). */
  ann_is_complete: Flag;
  include_removed: Flag;
  status: ExportStatus;
  /** Why it failed, in words a user can act on. */
  status_text: string | null;
  percent_complete: number;
  /** The check value: file packets selected at start, and written at the end. */
  file_list_length: number | null;
  instance_count: number | null;
  /** The file count the requester saw before asking (the panel's preflight), to flag a difference. */
  expected_file_count: number | null;
  size_bytes: number | null;
  sha256: string | null;
  file_name: string | null;
  /** Where the file is kept in annex's storage, relative to its exports folder. */
  storage_key: string | null;
  created_by: string;
  created_time: IsoTime;
  started_time: IsoTime | null;
  finished_time: IsoTime | null;
  /** The worker process holding it while running. */
  claimed_by: string | null;
  /** When the claiming worker last said it is alive; a stale one marks a crashed worker (migration 0002). */
  heartbeat_time: IsoTime | null;
  /** How many times a worker claimed it; a crash-looping export fails after a few (migration 0002). */
  attempt_count: Generated<number>;
  /**
   * PostgreSQL: the claiming worker's own session, `<backend pid>:<backend start in µs>`; once it is
   * gone from `pg_stat_activity` the export is recovered at once (migration 0003).
   */
  owner_session: string | null;
  archived: Flag;
  /** The account that asked for it (migration 0005); null for exports made before accounts. */
  created_by_user_id: number | null;
  /** The project's change counter in the snapshot the export read (migration 0006); null until it is read. */
  snapshot_seq: number | null;
  /** The check values (`exportChecksSchema` as JSON), written with the file (migration 0007); null until complete. */
  checks: Json | null;
  /** SHA-256 of the file's content without `export_info`'s id, time and creator (migration 0007). */
  content_sha256: string | null;
  /** The cancelled or failed export this one retries (migration 0007). */
  retry_of_export_id: number | null;
}

/** An account (migration 0005); `app_user` because `user` is reserved on PostgreSQL. */
export interface AppUserTable {
  id: Generated<number>;
  /** Lower case; what they sign in with. */
  email: string;
  /** `scrypt$N$r$p$salt$hash` (see auth/password-hash.ts); null until they sign up through their link. */
  password_hash: string | null;
  /** Creates users and projects; admin of every project. */
  is_instance_admin: Flag;
  /** Turned off by an instance admin: cannot sign in, sessions and keys stop working. */
  disabled: Flag;
  /** Still on a generated first password (the first admin's), to be changed. */
  must_change_password: Flag;
  created_time: IsoTime;
  password_changed_time: IsoTime | null;
}

/** A signed-in browser (migration 0005): the cookie's token is only stored as its SHA-256. */
export interface UserSessionTable {
  token_hash: string;
  user_id: number;
  created_time: IsoTime;
  /** Last request it made; the idle expiry counts from here. */
  last_seen_time: IsoTime;
  /** It ends here however busy it is. */
  absolute_expires_time: IsoTime;
  ip: string | null;
  user_agent: string | null;
}

/** An API key (migration 0005): `client_id` in clear, the secret only as its SHA-256. */
export interface ApiKeyTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  client_id: string;
  secret_hash: string;
  /** Bound to this project only; null for every project of its user. */
  project_id: number | null;
  /** The most it may do in its project (`viewer` | `editor` | `admin`); null for the user's own role. */
  role: ProjectRole | null;
  created_time: IsoTime;
  last_used_time: IsoTime | null;
  revoked_time: IsoTime | null;
}

/** A user's role in a project (migration 0005). */
export interface ProjectMemberTable {
  project_id: number;
  user_id: number;
  role: ProjectRole;
  added_time: IsoTime;
}

/** A one-time link an instance admin hands a new user (migration 0005); the token only as its SHA-256. */
export interface SignUpLinkTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  created_by_user_id: number | null;
  created_time: IsoTime;
  expires_time: IsoTime;
  /** Set when used; a used link never works again. */
  used_time: IsoTime | null;
}

/** One entry of the audit trail (migration 0005). */
export interface AuditEventTable {
  id: Generated<number>;
  time: IsoTime;
  actor_user_id: number | null;
  actor_email: string | null;
  /** How the actor was signed in, or `retention` when annex itself acted (a text column: no migration needed). */
  via: 'session' | 'api_key' | 'retention' | null;
  /** The project it concerns, or null for instance-wide events (sign-in, users). */
  project_id: number | null;
  action: AuditAction;
  target: string | null;
  /** A JSON object. */
  details: Json;
  ip: string | null;
}

/** Every table annex keeps, as Kysely sees them. */
/** Which file a source file id became in a directory, at import (migration 0006). */
export interface ImportedFileTable {
  directory_id: number;
  /** The file's id in the imported Diffgram JSON file (its packet's key). */
  source_file_id: number;
  file_id: number;
}

/** Where an import stands; `complete` and `failed` are final. */
export type ImportStatus = 'queued' | 'running' | 'complete' | 'failed';

/** One import of a Diffgram JSON file into a directory: a durable queue row (migration 0006). */
export interface ImportJobTable {
  id: Generated<number>;
  project_id: number;
  /** Null until the worker made or found the directory (and if it is deleted later). */
  directory_id: number | null;
  /** The directory asked for; created when missing. */
  directory_name: string;
  /** `skip`: leave out bad packets and import the rest; `fail`: write nothing when one is bad. */
  on_error: 'skip' | 'fail';
  status: Generated<ImportStatus>;
  /** While running: `validating` (reading every packet, writing nothing) or `writing`. */
  stage: 'validating' | 'writing' | null;
  /** Why it failed, in words a user can act on. */
  status_text: string | null;
  percent_complete: Generated<number>;
  /** Where the uploaded file is kept until the import ends. */
  upload_key: string | null;
  original_filename: string | null;
  size_bytes: Generated<number>;
  /** File packets in the upload, once validated. */
  packet_count: number | null;
  files_created: Generated<number>;
  files_updated: Generated<number>;
  files_skipped: Generated<number>;
  instances_created: Generated<number>;
  instances_updated: Generated<number>;
  instances_removed: Generated<number>;
  labels_created: Generated<number>;
  /** Every bad packet found; `errors` keeps only the first ones. */
  error_count: Generated<number>;
  /** JSON list of `{ packet, path, message }`, the first few problems. */
  errors: Generated<Json>;
  created_by: string;
  created_by_user_id: number | null;
  created_time: IsoTime;
  started_time: IsoTime | null;
  finished_time: IsoTime | null;
  claimed_by: string | null;
  heartbeat_time: IsoTime | null;
  attempt_count: Generated<number>;
}

/**
 * A lease on a maintenance task that one process at a time runs (migration 0008): the holder and
 * until when. See `db/maintenance-lease.ts`.
 */
export interface MaintenanceLeaseTable {
  /** The task (`export-retention`). */
  name: string;
  /** Who holds it: a worker id. */
  holder: string;
  acquired_time: IsoTime;
  /** Past this time the lease is free for anyone, whether or not its holder is alive. */
  expires_time: IsoTime;
}

export interface Database {
  project: ProjectTable;
  directory: DirectoryTable;
  directory_file: DirectoryFileTable;
  label: LabelTable;
  attribute_group: AttributeGroupTable;
  attribute_group_label: AttributeGroupLabelTable;
  attribute_template: AttributeTemplateTable;
  file: FileTable;
  job: JobTable;
  task: TaskTable;
  sequence: SequenceTable;
  instance: InstanceTable;
  export: ExportTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  api_key: ApiKeyTable;
  project_member: ProjectMemberTable;
  sign_up_link: SignUpLinkTable;
  audit_event: AuditEventTable;
  imported_file: ImportedFileTable;
  import_job: ImportJobTable;
  maintenance_lease: MaintenanceLeaseTable;
}

export type ProjectRow = Selectable<ProjectTable>;
export type DirectoryRow = Selectable<DirectoryTable>;
export type FileRow = Selectable<FileTable>;
export type NewFile = Insertable<FileTable>;
export type InstanceRow = Selectable<InstanceTable>;
export type NewInstance = Insertable<InstanceTable>;
export type JobRow = Selectable<JobTable>;
export type TaskRow = Selectable<TaskTable>;
export type ExportRow = Selectable<ExportTable>;
export type AppUserRow = Selectable<AppUserTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type NewExport = Insertable<ExportTable>;
export type ExportUpdate = Updateable<ExportTable>;
export type ImportJobRow = Selectable<ImportJobTable>;
