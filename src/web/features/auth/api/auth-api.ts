import { meResponseSchema, signUpInfoSchema } from '../../../../contract/auth.ts';
import type {
  ChangePasswordRequest,
  MeResponse,
  SignInRequest,
  SignUpInfo,
  SignUpRequest,
} from '../../../../contract/auth.ts';
import { apiRequest, apiRequestNoContent } from '../../../lib/api-client.ts';

/** GET who is signed in; a 401 when nobody is. */
export function fetchMe(signal?: AbortSignal): Promise<MeResponse> {
  return apiRequest('/auth/me', meResponseSchema, { signal });
}

/** POST an email and password; the server sets the session cookie and answers who signed in. */
export function signIn(request: SignInRequest): Promise<MeResponse> {
  return apiRequest('/auth/sign-in', meResponseSchema, { method: 'POST', body: request });
}

/** POST to end the session server-side (the cookie stops working at once). */
export function signOut(): Promise<void> {
  return apiRequestNoContent('/auth/sign-out', { method: 'POST' });
}

/** POST a new password for the signed-in user (their other sessions end). */
export function changePassword(request: ChangePasswordRequest): Promise<void> {
  return apiRequestNoContent('/auth/password', { method: 'POST', body: request });
}

/** GET whose sign-up link `token` is, before they pick a password. */
export function fetchSignUpInfo(token: string, signal?: AbortSignal): Promise<SignUpInfo> {
  return apiRequest(`/auth/sign-up/${encodeURIComponent(token)}`, signUpInfoSchema, { signal });
}

/** POST a password with a sign-up link's token; the server signs the new user in. */
export function signUp(request: SignUpRequest): Promise<MeResponse> {
  return apiRequest('/auth/sign-up', meResponseSchema, { method: 'POST', body: request });
}
