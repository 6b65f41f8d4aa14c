import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { isUnauthenticated } from '../../../lib/api-client.ts';
import { ownsUnauthenticated } from '../api/auth-mutations.ts';
import { signInPath } from '../utils/sign-in-path.ts';

/**
 * While mounted (on signed-in pages only), any query or mutation the server answers 401 sends the
 * user to the sign-in page, which brings them back here afterwards. Watching the cache catches every
 * call at one place, and mounting it in the signed-in layout leaves the sign-in and sign-up pages out.
 */
export function useSignInOnUnauthenticated(): void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const locationRef = useRef(location);
  useEffect(() => {
    locationRef.current = location;
  }, [location]);

  useEffect(() => {
    const leave = () => void navigate(signInPath(locationRef.current), { replace: true });
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (
        event.type === 'updated' &&
        event.action.type === 'error' &&
        isUnauthenticated(event.action.error)
      )
        leave();
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (
        event.type === 'updated' &&
        event.action.type === 'error' &&
        isUnauthenticated(event.action.error) &&
        !ownsUnauthenticated(event.mutation.options.meta)
      )
        leave();
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient, navigate]);
}
