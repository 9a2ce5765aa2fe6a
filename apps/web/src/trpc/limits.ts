/** Calls in one tRPC batch request: the server refuses larger batches with 400. */
export const MAX_BATCH_SIZE = 10;
