// How many Conversation DOs of one isolate may hold a database connection at once. A burst of new
// conversations (1,000 starting together) would otherwise open 1,000 connections, more than a
// Postgres (or the local PGlite socket, 64) accepts; past the limit, calls wait their turn, bounded.

const MAX_CONNECTIONS = 12;
const MAX_WAIT_MS = 30_000;

let active = 0;
const waiting: (() => void)[] = [];

/** Runs `fn` holding one of the isolate's database slots; rejects if none frees up within MAX_WAIT_MS. */
export async function withDbSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= MAX_CONNECTIONS) await waitForSlot();
  else active++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `active` never dips and lets a newcomer jump the line.
    if (next) next();
    else active--;
  }
}

function waitForSlot(): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      const i = waiting.indexOf(wake);
      if (i >= 0) waiting.splice(i, 1);
      reject(new Error("database busy: no connection slot within 30 s"));
    }, MAX_WAIT_MS);
    waiting.push(wake);
  });
}
