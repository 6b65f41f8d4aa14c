import type { ReactElement, ReactNode } from 'react';
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { RenderResult } from '@testing-library/react';
import type { RequestHandler } from 'msw';
import userEvent from '@testing-library/user-event';
import type { UserEvent } from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { createRoutes } from '../app/router.tsx';
import { theme } from '../app/theme.ts';
import { PrettyPrinterContext } from '../features/exports/pretty-print/pretty-printer-context.ts';
import type { PrettyPrinter } from '../features/exports/pretty-print/pretty-printer.ts';
import { server } from './api-server.ts';

/** A query client for one test: no retries, so a failure shows at once. */
export function createTestQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
}

/** What a test may set around the component it renders. */
export interface TestRenderOptions {
  queryClient?: QueryClient;
  /** The pretty-printer the preview uses (see `createInThreadPrettyPrinter`). */
  printer?: PrettyPrinter;
  /** The URL the memory router starts at (for components reading search params). */
  route?: string;
}

/** A render result plus the user to act as and the cache the component used. */
export interface TestRenderResult extends RenderResult {
  user: UserEvent;
  queryClient: QueryClient;
  router: ReturnType<typeof createMemoryRouter>;
}

function TestProviders({
  queryClient,
  printer,
  children,
}: {
  queryClient: QueryClient;
  printer: PrettyPrinter | null;
  children: ReactNode;
}) {
  return (
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <PrettyPrinterContext.Provider value={printer}>{children}</PrettyPrinterContext.Provider>
      </QueryClientProvider>
    </MantineProvider>
  );
}

/** Renders one component with the panel's providers, inside a router at `route`. */
export function renderWithProviders(
  ui: ReactElement,
  options: TestRenderOptions = {},
): TestRenderResult {
  const queryClient = options.queryClient ?? createTestQueryClient();
  const router = createMemoryRouter([{ path: '*', element: ui }], {
    initialEntries: [options.route ?? '/'],
  });
  const result = render(
    <TestProviders queryClient={queryClient} printer={options.printer ?? null}>
      <RouterProvider router={router} />
    </TestProviders>,
  );
  return { ...result, user: userEvent.setup(), queryClient, router };
}

/** Renders the whole panel, with its real routes, at `url`. */
export function renderApp(
  url: string,
  options: Omit<TestRenderOptions, 'route'> = {},
): TestRenderResult {
  const queryClient = options.queryClient ?? createTestQueryClient();
  const router = createMemoryRouter(createRoutes(queryClient), { initialEntries: [url] });
  const result = render(
    <TestProviders queryClient={queryClient} printer={options.printer ?? null}>
      <RouterProvider router={router} />
    </TestProviders>,
  );
  return { ...result, user: userEvent.setup(), queryClient, router };
}

/** Answers with `handlers` first (on top of the defaults), then renders the whole panel at `url`. */
export function renderRoute(url: string, ...handlers: RequestHandler[]): TestRenderResult {
  server.use(...handlers);
  return renderApp(url);
}
