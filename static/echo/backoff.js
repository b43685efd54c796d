// Reconnection delays: exponential backoff with jitter.

export const BASE_MS = 500;
export const CAP_MS = 30000;

/**
 * The wait before reconnection attempt `attempt` (1, 2, 3...): the ceiling doubles each
 * time from BASE_MS up to CAP_MS, and the delay is drawn between half the ceiling and the
 * ceiling, so that many clients dropped at once do not come back at once.
 */
export function reconnectDelay(attempt, random = Math.random) {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
