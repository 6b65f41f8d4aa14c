import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { apiKeyNameMaxLength } from '../../../../../contract/auth.ts';
import type { CreatedApiKey } from '../../../../../contract/auth.ts';
import { projectRoles, roleAtLeast } from '../../../../../contract/roles.ts';
import type { ProjectRole } from '../../../../../contract/roles.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { errorMessage } from '../../../../lib/api-client.ts';
import { projectQueries } from '../../../projects/api/project-queries.ts';
import { useCreateApiKey } from '../../api/account-mutations.ts';
import { roleLabel } from '../../utils/role-text.ts';

/** Props of CreateApiKeyForm. */
export interface CreateApiKeyFormProps {
  /** Called with the new key and its secret (shown once, by the caller). */
  onCreated: (created: CreatedApiKey) => void;
}

/** Names a new API key and optionally binds it to one of your projects, with a role no higher than yours. */
export function CreateApiKeyForm({ onCreated }: CreateApiKeyFormProps) {
  const projects = useQuery(projectQueries.list());
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [project, setProject] = useState<string | null>(null);
  const [role, setRole] = useState<ProjectRole | null>(null);

  const myRole = projects.data?.projects.find((p) => p.project_string_id === project)?.my_role;
  const allowedRoles =
    myRole === undefined ? [] : projectRoles.filter((r) => roleAtLeast(myRole, r));

  const handleProjectChange = (value: string | null) => {
    setProject(value);
    // The strongest role the key may have there is the user's own: the natural default.
    setRole(projects.data?.projects.find((p) => p.project_string_id === value)?.my_role ?? null);
  };

  const handleSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(
      {
        name: name.trim(),
        ...(project === null ? {} : { project_string_id: project, role: role ?? undefined }),
      },
      {
        onSuccess: (created) => {
          setName('');
          setProject(null);
          setRole(null);
          onCreated(created);
          // The page shows the secret now; the mutation keeps no copy of it.
          create.reset();
        },
      },
    );
  };

  return (
    <form onSubmit={handleSubmit} aria-label="New API key">
      <Stack gap="sm">
        <Group align="flex-start" gap="sm" grow preventGrowOverflow={false}>
          <TextInput
            label="Name"
            description="What the key is for, so you know which to revoke later"
            placeholder="nightly training pipeline"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            maxLength={apiKeyNameMaxLength}
            required
          />
          <Select
            label="Project"
            description={
              projects.isError
                ? `Your projects could not be loaded: ${errorMessage(projects.error)}`
                : 'Bind the key to one project, or leave empty for all your projects'
            }
            placeholder="All your projects"
            data={(projects.data?.projects ?? []).map((p) => ({
              value: p.project_string_id,
              label: p.name,
            }))}
            value={project}
            onChange={handleProjectChange}
            clearable
          />
          <Select
            label="Role"
            description={
              myRole === undefined
                ? 'Unbound keys act with your role in each project'
                : `At most your own role here (${myRole})`
            }
            placeholder={project === null ? 'Your role in each project' : 'Pick a role'}
            data={allowedRoles.map((r) => ({ value: r, label: roleLabel(r) }))}
            value={role}
            onChange={(value) => setRole(value)}
            disabled={project === null}
            allowDeselect={false}
          />
        </Group>
        <ErrorAlert title="The key could not be created" error={create.error} />
        <Group>
          <Button type="submit" loading={create.isPending} disabled={name.trim() === ''}>
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
