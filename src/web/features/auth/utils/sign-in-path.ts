/** The sign-in page's path. */
export const signInRoute = '/sign-in';

// A base no real page has: a `next` that resolves elsewhere is not one of the panel's own paths.
const localBase = 'http://annex.local.invalid';

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Where to go after signing in: `next` when it is one of the panel's own paths (starts with one `/`,
 * names no other site, `//evil.example` and `/\evil.example` included), otherwise `/`. A `next` back
 * to the sign-in page itself is `/` too.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (next === null || next === undefined || !next.startsWith('/')) return '/';
  // Browsers read a backslash as a slash and drop tabs and newlines inside URLs: refuse them outright.
  if (next.startsWith('//') || next.includes('\\') || hasControlCharacter(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, localBase);
  } catch {
    return '/';
  }
  if (url.origin !== localBase) return '/';
  // Dot segments collapse when parsed: `/..//evil.example` becomes `//evil.example`, another site.
  if (url.pathname.startsWith('//')) return '/';
  if (url.pathname.replace(/\/+$/, '').toLowerCase() === signInRoute) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in page, returning to `location` (a path and search) once signed in. */
export function signInPath(location: { pathname: string; search: string }): string {
  const here = `${location.pathname}${location.search}`;
  if (here === '/' || location.pathname === signInRoute) return signInRoute;
  return `${signInRoute}?${new URLSearchParams({ next: here }).toString()}`;
}
