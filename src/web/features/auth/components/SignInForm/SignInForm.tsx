import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import type { MeResponse } from '../../../../../contract/auth.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { visibilityToggleProps } from '../../utils/password-field.ts';
import { useSignIn } from '../../api/auth-mutations.ts';

/** Props of SignInForm. */
export interface SignInFormProps {
  /** Called once the server accepted the email and password (the cache then holds the new user). */
  onSignedIn: (me: MeResponse) => void;
}

/** Email and password; a refusal shows the server's words, which never say which of the two was wrong. */
export function SignInForm({ onSignedIn }: SignInFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();

  const handleSignIn = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    signIn.mutate({ email, password }, { onSuccess: onSignedIn });
  };

  return (
    <form onSubmit={handleSignIn} aria-label="Sign in" noValidate>
      <Stack gap="md">
        {signIn.isError && (
          <Alert color="red" title="Could not sign in" role="alert">
            {errorMessage(signIn.error)}
          </Alert>
        )}
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          withAsterisk={false}
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          data-autofocus
        />
        <PasswordInput
          visibilityToggleButtonProps={visibilityToggleProps}
          label="Password"
          autoComplete="current-password"
          required
          withAsterisk={false}
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
        />
        <Button type="submit" loading={signIn.isPending} fullWidth>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
