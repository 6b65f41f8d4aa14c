import type { QueryClient } from '@tanstack/react-query';
import { createBrowserRouter, redirect } from 'react-router';
import type { RouteObject } from 'react-router';
import { NotFoundPage } from '../components/NotFoundPage/NotFoundPage.tsx';
import { ApiKeysPage } from './routes/ApiKeysPage/ApiKeysPage.tsx';
import { AuditPage } from './routes/AuditPage/AuditPage.tsx';
import { HomePage, homeLoader, projectExportPath } from './routes/HomePage/HomePage.tsx';
import { MembersPage } from './routes/MembersPage/MembersPage.tsx';
import { ProjectExportPage } from './routes/ProjectExportPage/ProjectExportPage.tsx';
import { RouteErrorPage } from './routes/RouteErrorPage/RouteErrorPage.tsx';
import { SignedInLayout, signedInLoader } from './routes/SignedInLayout/SignedInLayout.tsx';
import { SignInPage } from './routes/SignInPage/SignInPage.tsx';
import { SignUpPage } from './routes/SignUpPage/SignUpPage.tsx';
import { UsersPage } from './routes/UsersPage/UsersPage.tsx';

/** The panel's routes; the browser router and the tests' memory router both use them. */
export function createRoutes(queryClient: QueryClient): RouteObject[] {
  return [
    {
      path: '/',
      errorElement: <RouteErrorPage />,
      children: [
        { path: 'sign-in', element: <SignInPage /> },
        { path: 'sign-up/:token', element: <SignUpPage /> },
        {
          // Every other page needs an account: its loader sends a signed-out visit to sign-in first.
          id: 'signed-in',
          loader: signedInLoader(queryClient),
          // Checked on entry only: later, any 401 sends the user to sign-in (see SignedInLayout).
          shouldRevalidate: () => false,
          element: <SignedInLayout />,
          hydrateFallbackElement: <></>,
          children: [
            {
              index: true,
              loader: homeLoader(queryClient),
              element: <HomePage />,
              hydrateFallbackElement: <></>,
            },
            {
              path: 'projects/:project',
              loader: ({ params }) => redirect(projectExportPath(params.project ?? '')),
            },
            { path: 'projects/:project/export', element: <ProjectExportPage /> },
            { path: 'projects/:project/members', element: <MembersPage /> },
            { path: 'projects/:project/audit', element: <AuditPage /> },
            { path: 'account/api-keys', element: <ApiKeysPage /> },
            { path: 'admin/users', element: <UsersPage /> },
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ];
}

/** The router the browser uses. */
export function createAppRouter(queryClient: QueryClient) {
  return createBrowserRouter(createRoutes(queryClient));
}
