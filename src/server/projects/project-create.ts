import type { CreateProjectRequest } from '../../contract/auth.ts';
import type { ProjectSummary } from '../../contract/projects.ts';
import { isUniqueViolation } from '../accounts/unique-violation.ts';
import type { SignedInActor } from '../audit/audit-log.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { ApiError } from '../http/api-error.ts';
import { insertProject } from '../seed/project-writer.ts';
import { insertMember } from './member-queries.ts';
import { findProject } from './project-queries.ts';

// Making a project from the API: the same rows the seeds write (through the project writer), one
// directory "Default" for files to land in, and its creator as its first admin member, so the project
// keeps an admin of its own even if the creator later stops being an instance admin.

/** The directory every new project starts with, and opens on. */
export const defaultDirectoryName = 'Default';

/** Creates the project; a 409 `conflict` when its `project_string_id` is taken. */
export async function createProject(
  database: AnnexDatabase,
  input: Required<CreateProjectRequest>,
  creator: SignedInActor,
): Promise<ProjectSummary> {
  if ((await findProject(database.db, input.project_string_id)) !== undefined)
    throw projectTaken(input.project_string_id);
  const now = new Date();
  try {
    return await database.db.transaction().execute(async (trx) => {
      const written = await insertProject(trx, {
        projectStringId: input.project_string_id,
        name: input.name,
        createdTime: now.toISOString(),
        directories: [{ nickname: defaultDirectoryName, createdTime: now.toISOString() }],
        defaultDirectory: defaultDirectoryName,
        whenTaken: 'choose another project_string_id.',
      });
      await insertMember(
        trx,
        { projectId: written.projectId, userId: creator.principal.user.id, role: 'admin' },
        now,
      );
      await recordAudit(trx, creator, {
        action: 'project_created',
        projectId: written.projectId,
        target: `project ${input.project_string_id}`,
        details: { name: input.name },
      });
      return {
        id: written.projectId,
        project_string_id: input.project_string_id,
        name: input.name,
        default_directory_id: written.defaultDirectoryId,
        my_role: 'admin' as const,
      };
    });
  } catch (error) {
    // Another admin took the name between the check and the insert: the unique index refused it,
    // or the project writer's own check saw it.
    if (
      isUniqueViolation(error) ||
      (await findProject(database.db, input.project_string_id)) !== undefined
    )
      throw projectTaken(input.project_string_id);
    throw error;
  }
}

function projectTaken(projectStringId: string): ApiError {
  return new ApiError(
    'conflict',
    `A project "${projectStringId}" already exists. Choose another project_string_id.`,
    { field: 'body.project_string_id', project: projectStringId },
  );
}
