import { Box } from '@mantine/core';
import { isRouteErrorResponse, useRevalidator, useRouteError } from 'react-router';
import { ErrorState } from '../../../components/ErrorState/ErrorState.tsx';
import { NotFoundPage } from '../../../components/NotFoundPage/NotFoundPage.tsx';
import { errorMessage } from '../../../lib/api-client.ts';

/** What a route shows when its loader or rendering throws: the reason and a retry. */
export function RouteErrorPage() {
  const error = useRouteError();
  const revalidator = useRevalidator();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  return (
    <Box p="md" maw={640} mx="auto" mt="xl">
      <title>Error · annex</title>
      <ErrorState
        title="The panel could not load"
        message={errorMessage(error)}
        onRetry={() => void revalidator.revalidate()}
        retrying={revalidator.state === 'loading'}
      />
    </Box>
  );
}
