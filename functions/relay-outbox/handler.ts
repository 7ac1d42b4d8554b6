import { PUBSUB_NAME, RetryableError, claimUnpublishedEvents, markPublished, publishInOrder, type BindingHandler, type FunctionRuntime } from "../../runtime/contract.js";

export interface RelayOptions {
  /** Younger rows are still being published by the function that wrote them. */
  minAgeMs: number;
  batchSize: number;
  maxBatches: number;
}

export function createRelayOutboxHandler(
  { db, dapr, log, tracer }: FunctionRuntime,
  { minAgeMs, batchSize, maxBatches }: RelayOptions = { minAgeMs: 5_000, batchSize: 100, maxBatches: 20 },
): BindingHandler {
  return async () => {
    let published = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const result = await db.transaction(async (tx) => {
        const events = await claimUnpublishedEvents(tx, { minAgeMs, limit: batchSize });
        const ids = await publishInOrder({ dapr, pubsub: PUBSUB_NAME, log, tracer }, events);
        await markPublished(tx, ids);
        return { claimed: events.length, published: ids.length };
      });
      published += result.published;
      if (result.published < result.claimed) {
        throw new RetryableError(`published ${published} events, then the sidecar refused one; the rest waits for the next tick`);
      }
      if (result.claimed < batchSize) break;
    }
    return { published };
  };
}
