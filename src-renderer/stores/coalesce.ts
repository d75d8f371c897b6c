/**
 * Runs `read` at once for the first event, and once more after it for all events that arrived
 * while it ran: a single event is on screen after one read (SPEC section 15: a live update within
 * 200 ms), a burst of thousands costs two reads.
 */
export function coalesce(read: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      try {
        do {
          again = false;
          await read();
        } while (again);
      } finally {
        running = false;
      }
    })();
  };
}
