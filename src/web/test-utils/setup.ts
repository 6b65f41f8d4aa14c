import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { server } from './api-server.ts';

// A whole page renders in the route tests, the first one of a file cold: on a busy machine that
// outlasts the default second of findBy and waitFor.
configure({ asyncUtilTimeout: 5_000 });

// jsdom lacks the layout APIs Mantine and CodeMirror call; these stubs give them inert answers.
// jsdom logs "not implemented" for pseudo-element styles, which Mantine asks for; the element's own will do.
const getComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => getComputedStyle(element);

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  }),
});

class ResizeObserverStub implements ResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
window.ResizeObserver = ResizeObserverStub;
window.HTMLElement.prototype.scrollIntoView = function scrollIntoView() {};

// CodeMirror measures text through ranges; jsdom returns no rectangles, which CodeMirror handles.
const emptyRects = (): DOMRectList => {
  const list: DOMRect[] = [];
  return Object.assign(list, { item: (index: number) => list[index] ?? null });
};
Range.prototype.getClientRects = emptyRects;
Range.prototype.getBoundingClientRect = () => new DOMRect(0, 0, 0, 0);

// A request no handler answers fails the test: a test states every call the panel makes. msw's
// 'error' strategy alone only rejects the fetch, which the panel turns into an error message a
// test might not look at, so the request is also noted and the test failed after it.
const unhandledRequests: string[] = [];
beforeAll(() =>
  server.listen({
    onUnhandledRequest: (request, print) => {
      unhandledRequests.push(`${request.method} ${request.url}`);
      print.error();
    },
  }),
);
afterAll(() => server.close());
afterEach(() => {
  const missed = unhandledRequests.splice(0);
  if (missed.length > 0)
    throw new Error(`No handler answered ${missed.join(', ')}: add one with server.use(...).`);
});

afterEach(() => {
  cleanup();
  server.resetHandlers();
  server.events.removeAllListeners();
  window.localStorage.clear();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
