import { Paper, Skeleton, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ErrorState } from '../../../components/ErrorState/ErrorState.tsx';
import { accountQueries } from '../../../features/accounts/api/account-queries.ts';
import { AddMemberForm } from '../../../features/accounts/components/AddMemberForm/AddMemberForm.tsx';
import { MemberList } from '../../../features/accounts/components/MemberList/MemberList.tsx';
import { ProjectAdminGate } from '../../../features/accounts/components/ProjectAdminGate/ProjectAdminGate.tsx';
import { errorMessage } from '../../../lib/api-client.ts';

/** `/projects/:project/members`: the project's admins add members, change roles and remove them. */
export function MembersPage() {
  const { project = '' } = useParams();
  return (
    <ProjectAdminGate
      key={project}
      project={project}
      page="members"
      title="Members"
      notAllowed="Only project admins manage members"
    >
      {() => <MembersPanel project={project} />}
    </ProjectAdminGate>
  );
}

function MembersPanel({ project }: { project: string }) {
  const members = useQuery(accountQueries.members(project));
  return (
    <Stack gap="lg">
      <Paper withBorder p="md" component="section" aria-labelledby="add-member-heading">
        <Stack gap="sm">
          <Title order={2} size="h3" id="add-member-heading">
            Add a member
          </Title>
          <AddMemberForm project={project} />
        </Stack>
      </Paper>
      <Stack gap="sm" component="section" aria-labelledby="members-heading">
        <Title order={2} size="h3" id="members-heading">
          Members
        </Title>
        {members.isPending ? (
          <Stack gap="xs" role="status" aria-label="Loading the members">
            <Skeleton height={32} />
            <Skeleton height={32} />
          </Stack>
        ) : members.isError && members.data === undefined ? (
          <ErrorState
            title="The members could not be loaded"
            message={errorMessage(members.error)}
            onRetry={() => void members.refetch()}
            retrying={members.isFetching}
          />
        ) : (
          <MemberList project={project} members={members.data.members} />
        )}
      </Stack>
    </Stack>
  );
}
