import { useState } from 'react';
import { Alert, Container, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ApiKey, CreatedApiKey } from '../../../../contract/auth.ts';
import { ErrorState } from '../../../components/ErrorState/ErrorState.tsx';
import { accountQueries } from '../../../features/accounts/api/account-queries.ts';
import { ApiKeyList } from '../../../features/accounts/components/ApiKeyList/ApiKeyList.tsx';
import { CreateApiKeyForm } from '../../../features/accounts/components/CreateApiKeyForm/CreateApiKeyForm.tsx';
import { CreatedApiKeyNotice } from '../../../features/accounts/components/CreatedApiKeyNotice/CreatedApiKeyNotice.tsx';
import { RevokeApiKeyDialog } from '../../../features/accounts/components/RevokeApiKeyDialog/RevokeApiKeyDialog.tsx';
import { errorMessage } from '../../../lib/api-client.ts';

/** `/account/api-keys`: create keys for scripts (the secret shown once), see their use, revoke them. */
export function ApiKeysPage() {
  const keys = useQuery(accountQueries.apiKeys());
  // The secret lives in this page's state only: leaving the page drops it for good.
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revoked, setRevoked] = useState<ApiKey | null>(null);

  return (
    <Container size="lg" py="lg" component="main">
      <title>API keys · annex</title>
      <Stack gap="lg">
        <Stack gap={4}>
          <Title order={1}>API keys</Title>
          <Text c="dimmed">
            A key lets a script, the annex SDK or CLI, or Diffgram’s Python SDK act as you, with
            HTTP Basic authentication (client ID and client secret).
          </Text>
        </Stack>

        <Paper withBorder p="md" component="section" aria-labelledby="new-key-heading">
          <Stack gap="sm">
            <Title order={2} size="h3" id="new-key-heading">
              Create a key
            </Title>
            <CreateApiKeyForm
              onCreated={(key) => {
                setRevoked(null);
                setCreated(key);
              }}
            />
          </Stack>
        </Paper>

        {created !== null && (
          <CreatedApiKeyNotice
            created={created}
            origin={window.location.origin}
            onDone={() => setCreated(null)}
          />
        )}
        {revoked !== null && (
          <Alert
            color="teal"
            role="status"
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setRevoked(null)}
          >
            Key “{revoked.name}” revoked: it no longer works.
          </Alert>
        )}

        <Stack gap="sm" component="section" aria-labelledby="your-keys-heading">
          <Title order={2} size="h3" id="your-keys-heading">
            Your keys
          </Title>
          {keys.isPending ? (
            <Stack gap="xs" role="status" aria-label="Loading your API keys">
              <Skeleton height={32} />
              <Skeleton height={32} />
              <Skeleton height={32} />
            </Stack>
          ) : keys.isError && keys.data === undefined ? (
            <ErrorState
              title="Your API keys could not be loaded"
              message={errorMessage(keys.error)}
              onRetry={() => void keys.refetch()}
              retrying={keys.isFetching}
            />
          ) : (
            <ApiKeyList keys={keys.data.keys} onRevoke={setRevoking} />
          )}
        </Stack>
      </Stack>
      <RevokeApiKeyDialog
        apiKey={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={(apiKey) => {
          setCreated((current) => (current?.key.id === apiKey.id ? null : current));
          setRevoked(apiKey);
        }}
      />
    </Container>
  );
}
