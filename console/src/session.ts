import { TOKEN_KEY } from './settings';

/**
 * The API token for this browser session: in memory, and in sessionStorage so a reload of the tab
 * keeps it. Never in localStorage, a cookie or the URL.
 */
let current: string | null = readStored();

function readStored(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: memory only
  }
}

export function getToken(): string | null {
  return current;
}

export function setToken(token: string): void {
  current = token;
  try {
    window.sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    /* memory only */
  }
}

export function clearToken(): void {
  current = null;
  try {
    window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* nothing stored */
  }
}
