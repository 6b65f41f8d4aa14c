import { Badge, Button, Code, Table, Text } from '@mantine/core';
import type { ApiKey } from '../../../../../contract/auth.ts';
import { formatAbsoluteTime } from '../../../../lib/format.ts';
import { AccountTable } from '../AccountTable/AccountTable.tsx';

const apiKeyColumns = ['Name', 'Client ID', 'Reaches', 'Created', 'Last used', 'Status', ''];

/** Props of ApiKeyList. */
export interface ApiKeyListProps {
  keys: ApiKey[];
  /** Asks to revoke a key (the caller confirms first). */
  onRevoke: (apiKey: ApiKey) => void;
}

/** Your keys, newest first: what each may reach, when it was last used, and whether it still works. */
export function ApiKeyList({ keys, onRevoke }: ApiKeyListProps) {
  if (keys.length === 0) {
    return (
      <Text c="dimmed" py="md">
        You have no API keys yet. Create one above to call annex from a script, the SDK or the CLI.
      </Text>
    );
  }
  return (
    <AccountTable label="API keys" columns={apiKeyColumns} minWidth={860}>
      {keys.map((apiKey) => (
        <Table.Tr key={apiKey.id}>
          <Table.Td>{apiKey.name}</Table.Td>
          <Table.Td>
            <Code>{apiKey.client_id}</Code>
          </Table.Td>
          <Table.Td>
            {apiKey.project_string_id === null
              ? 'All your projects'
              : `${apiKey.project_string_id} as ${apiKey.role ?? 'your role'}`}
          </Table.Td>
          <Table.Td>{formatAbsoluteTime(apiKey.created_time)}</Table.Td>
          <Table.Td>
            {apiKey.last_used_time === null ? 'never' : formatAbsoluteTime(apiKey.last_used_time)}
          </Table.Td>
          <Table.Td>
            {apiKey.revoked_time === null ? (
              <Badge color="teal" variant="light">
                Active
              </Badge>
            ) : (
              <>
                <Badge color="gray" variant="light">
                  Revoked
                </Badge>
                <Text size="xs" c="dimmed">
                  {formatAbsoluteTime(apiKey.revoked_time)}
                </Text>
              </>
            )}
          </Table.Td>
          <Table.Td>
            {apiKey.revoked_time === null && (
              <Button
                size="xs"
                variant="light"
                color="red"
                onClick={() => onRevoke(apiKey)}
                aria-label={`Revoke ${apiKey.name}`}
              >
                Revoke
              </Button>
            )}
          </Table.Td>
        </Table.Tr>
      ))}
    </AccountTable>
  );
}
