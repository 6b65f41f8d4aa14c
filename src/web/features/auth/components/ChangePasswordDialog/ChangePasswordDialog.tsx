import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Alert, Button, Group, Modal, PasswordInput, Stack } from '@mantine/core';
import { passwordMinLength } from '../../../../../contract/auth.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { visibilityToggleProps } from '../../utils/password-field.ts';
import { useChangePassword } from '../../api/auth-mutations.ts';

/** Props of ChangePasswordDialog. */
export interface ChangePasswordDialogProps {
  opened: boolean;
  onClose: () => void;
}

/** Changes your own password: the current one, then a new one of at least 10 characters. */
export function ChangePasswordDialog({ opened, onClose }: ChangePasswordDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Change password" centered>
      {/* Mounted only while open, so the fields and any error start empty each time. */}
      {opened && <ChangePasswordForm onDone={onClose} />}
    </Modal>
  );
}

function ChangePasswordForm({ onDone }: { onDone: () => void }) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [checked, setChecked] = useState(false);
  const change = useChangePassword();
  const tooShort = newPassword.length < passwordMinLength;

  const handleChange = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChecked(true);
    if (tooShort) return;
    change.mutate(
      { current_password: currentPassword, new_password: newPassword },
      { onSuccess: onDone },
    );
  };

  return (
    <form onSubmit={handleChange} aria-label="Change password" noValidate>
      <Stack gap="md">
        <PasswordInput
          visibilityToggleButtonProps={visibilityToggleProps}
          label="Current password"
          autoComplete="current-password"
          required
          withAsterisk={false}
          value={currentPassword}
          onChange={(event) => setCurrentPassword(event.currentTarget.value)}
          data-autofocus
        />
        <PasswordInput
          visibilityToggleButtonProps={visibilityToggleProps}
          label="New password"
          description={`At least ${passwordMinLength} characters. Your other sessions are signed out.`}
          autoComplete="new-password"
          required
          withAsterisk={false}
          value={newPassword}
          onChange={(event) => setNewPassword(event.currentTarget.value)}
          error={checked && tooShort ? `Use at least ${passwordMinLength} characters.` : undefined}
        />
        {change.isError && (
          <Alert color="red" title="The password was not changed" role="alert">
            {errorMessage(change.error)}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={change.isPending}>
            Save password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
