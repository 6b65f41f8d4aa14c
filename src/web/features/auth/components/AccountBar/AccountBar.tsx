import { Anchor, Button, Group, Text } from '@mantine/core';
import { Link } from 'react-router';
import classes from './AccountBar.module.css';

/** Props of AccountBar. */
export interface AccountBarProps {
  /** Who is signed in. */
  email: string;
  /** Shows the Users link. */
  isInstanceAdmin: boolean;
  /** The project of the current page when the user administers it (shows Members and Audit), else null. */
  adminOfProject: string | null;
  onChangePassword: () => void;
  onSignOut: () => void;
  /** True while the sign-out request runs. */
  signingOut: boolean;
}

/** The bar above every signed-in page: where to go, who is signed in, Change password and Sign out. */
export function AccountBar({
  email,
  isInstanceAdmin,
  adminOfProject,
  onChangePassword,
  onSignOut,
  signingOut,
}: AccountBarProps) {
  const projectPath =
    adminOfProject === null ? null : `/projects/${encodeURIComponent(adminOfProject)}`;
  return (
    <div className={classes.bar}>
      <Group justify="space-between" gap="sm" className={classes.inner}>
        <nav aria-label="Account">
          <Group gap="md">
            <Anchor component={Link} to="/" fw={800} c="indigo.7" underline="never">
              annex
            </Anchor>
            {projectPath !== null && (
              <>
                <Anchor component={Link} to={`${projectPath}/members`} size="sm">
                  Members
                </Anchor>
                <Anchor component={Link} to={`${projectPath}/audit`} size="sm">
                  Audit
                </Anchor>
              </>
            )}
            <Anchor component={Link} to="/account/api-keys" size="sm">
              API keys
            </Anchor>
            {isInstanceAdmin && (
              <Anchor component={Link} to="/admin/users" size="sm">
                Users
              </Anchor>
            )}
          </Group>
        </nav>
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            Signed in as{' '}
            <Text span size="sm" fw={600} c="var(--mantine-color-text)">
              {email}
            </Text>
          </Text>
          <Button size="compact-sm" variant="subtle" onClick={onChangePassword}>
            Change password
          </Button>
          <Button size="compact-sm" variant="default" onClick={onSignOut} loading={signingOut}>
            Sign out
          </Button>
        </Group>
      </Group>
    </div>
  );
}
