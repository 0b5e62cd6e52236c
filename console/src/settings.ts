/** The console's tuning constants, each with why it is what it is. */

/** How often the list and the detail page ask the API again (ms): live enough, cheap for the API. */
export const REFRESH_MS = 5_000;

/** How long the detail chart remembers samples (ms): the last hour, as the issue asks. */
export const CHART_WINDOW_MS = 60 * 60 * 1000;

/** Page size when the list reads every pipeline (the API's maximum is 500). */
export const LIST_PAGE_SIZE = 200;

/** At most this many pages (x LIST_PAGE_SIZE pipelines) are read for one list view. */
export const LIST_MAX_PAGES = 10;

/** Concurrent GET /tasks calls when the list works out each pipeline's last flush. */
export const TASKS_CONCURRENCY = 4;

/** The sessionStorage key of the token (per tab, gone when the browser session ends). */
export const TOKEN_KEY = 'sdp.console.token';
