import { Alert, Button, Group, Text } from '@mantine/core';

/** Props of ChangePasswordBanner. */
export interface ChangePasswordBannerProps {
  onChangePassword: () => void;
}

/** Asks a user still on a generated password (the first admin's, printed at start-up) to pick their own. */
export function ChangePasswordBanner({ onChangePassword }: ChangePasswordBannerProps) {
  return (
    <Alert color="yellow" title="Change your password" radius={0} aria-label="Change your password">
      <Group justify="space-between" gap="sm">
        <Text size="sm">
          You signed in with the password annex generated at its first start. Choose your own: the
          generated one then stops working and its file in the data directory is removed.
        </Text>
        <Button size="xs" color="yellow" variant="filled" onClick={onChangePassword}>
          Choose a new password
        </Button>
      </Group>
    </Alert>
  );
}
