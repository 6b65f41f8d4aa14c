import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { InstanceIdMaps } from './instance-rows.ts';
import { projectAttributeGroups, projectLabelIds } from './instance-queries.ts';
import type { AttributeGroupRule } from './instance-queries.ts';

// The write API's id maps: a script sends ids of the project it writes to (what it read from an
// export or from GET …/labels), so an id maps to itself once it is known to be the project's, and
// an attribute answer must fit its group's kind. The import maps ids by name instead, with its own
// maps; both hand them to `instanceContent`.

/** The write API's id maps, and whether a label id is the project's (to word its own message). */
export interface ProjectIdMaps extends InstanceIdMaps {
  /** True when the label is one of the project's. */
  hasLabel(id: number): boolean;
}

/** Loads the project's labels and attribute groups (with their answers) into id maps. */
export async function loadProjectIdMaps(
  db: Kysely<Database>,
  projectId: number,
): Promise<ProjectIdMaps> {
  const labelIds = await projectLabelIds(db, projectId);
  const groups = await projectAttributeGroups(db, projectId);
  return {
    hasLabel: (id) => labelIds.has(id),
    label: (id) => (labelIds.has(id) ? id : undefined),
    attribute(groupKey, answer) {
      const group = groups.get(Number(groupKey));
      if (group === undefined) {
        return `attribute group ${groupKey} is not an attribute group of this project; the keys of attribute_groups are the ids of its attribute groups`;
      }
      const problem = answerProblem(group, answer);
      if (problem !== undefined) return problem;
      return {
        groupKey,
        answer: typeof answer === 'number' || typeof answer === 'string' ? answer : [...answer],
      };
    },
  };
}

/** What is wrong with an answer to a group, or undefined when it fits the group's kind. */
function answerProblem(
  group: AttributeGroupRule,
  answer: number | string | readonly number[],
): string | undefined {
  const subject = `group ${group.id} ("${group.name}", ${group.kind})`;
  const templateList = () => [...group.templateIds].sort((a, b) => a - b).join(', ');
  switch (group.kind) {
    case 'select':
    case 'radio':
      if (typeof answer !== 'number') return `${subject} is answered with one answer id (a number)`;
      if (!group.templateIds.has(answer))
        return `${answer} is not an answer of ${subject}; its answers are ${templateList()}`;
      return undefined;
    case 'multiple_select':
    case 'tree': {
      if (typeof answer === 'number' || typeof answer === 'string')
        return `${subject} is answered with a list of answer ids ([1, 2])`;
      const unknown = answer.filter((id) => !group.templateIds.has(id));
      if (unknown.length > 0)
        return `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an answer' : 'are not answers'} of ${subject}; its answers are ${templateList()}`;
      return undefined;
    }
    case 'slider':
      if (typeof answer !== 'number') return `${subject} is answered with a number`;
      if (
        (group.min_value !== null && answer < group.min_value) ||
        (group.max_value !== null && answer > group.max_value)
      )
        return `${answer} is outside ${subject}'s range ${group.min_value ?? '…'} to ${group.max_value ?? '…'}`;
      return undefined;
    case 'text':
      if (typeof answer !== 'string') return `${subject} is answered with a text (a string)`;
      return undefined;
  }
}
