import { screen } from '@testing-library/react';
import { http } from 'msw';
import type { RequestHandler } from 'msw';
import { expect } from 'vitest';
import { neverAnswer } from './api-server.ts';
import { renderRoute } from './render.tsx';

/** What the page reads while it loads: `GET unanswered` never answers; `handlers` answer the rest. */
export interface LoadingSetup {
  unanswered: string;
  handlers: RequestHandler[];
}

/**
 * Renders the page at `url` while its data never arrives, checks it says it is loading (a status
 * named `statusName`), and unmounts it again for the test's next step.
 */
export async function expectLoadingStatus(
  url: string,
  statusName: string,
  { unanswered, handlers }: LoadingSetup,
): Promise<void> {
  const view = renderRoute(
    url,
    ...handlers,
    http.get(unanswered, () => neverAnswer()),
  );
  expect(await screen.findByRole('status', { name: statusName })).toBeInTheDocument();
  view.unmount();
}
