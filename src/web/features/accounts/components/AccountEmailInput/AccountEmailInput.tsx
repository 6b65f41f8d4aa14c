import { TextInput } from '@mantine/core';
import { emailMaxLength } from '../../../../../contract/auth.ts';

/** Props of AccountEmailInput. */
export interface AccountEmailInputProps {
  value: string;
  onChange: (email: string) => void;
}

/** The email of the account an admin form adds (a user, or a member of the project); it takes the row's free width. */
export function AccountEmailInput({ value, onChange }: AccountEmailInputProps) {
  return (
    <TextInput
      label="Email"
      type="email"
      placeholder="someone@example.com"
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      maxLength={emailMaxLength}
      required
      style={{ flex: 1, minWidth: 240 }}
    />
  );
}
