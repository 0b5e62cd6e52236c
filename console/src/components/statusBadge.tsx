import type { ObservedState } from '../types';

/** Observed status as a coloured badge with its word (colour is never the only signal) and reason. */
export function StatusBadge({ status, reason }: { status: ObservedState; reason?: string | null }) {
  return (
    <span class="status-cell">
      <span class={`badge badge-${status}`} data-status={status}>
        {status}
      </span>
      {reason ? <span class="reason">{reason}</span> : null}
    </span>
  );
}
