import {
  PUBSUB_NAME,
  RetryableError,
  UnpublishableEventError,
  claimKeys,
  publishEvent,
  settleClaim,
  type BindingHandler,
  type ClaimOptions,
  type FunctionRuntime,
  type Refusal,
} from "../../runtime/contract.js";

export interface RelayOptions extends ClaimOptions {
  /** Claims per tick. */
  maxClaims: number;
  /** Longest one publish may take (the Dapr client's timeout): none starts unless it can end within the lease. */
  publishTimeoutMs: number;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = { minAgeMs: 5_000, leaseMs: 60_000, keys: 50, perKey: 100, maxClaims: 20, publishTimeoutMs: 5_000 };

/**
 * On every tick: lease keys whose events wait (runtime/outbox-relay.ts), publish
 * each key's events in seq order outside any transaction, stopping a key at its
 * first refusal, then record the outcome. Answers 500 when the sidecar refused
 * anything, so the failure shows in Dapr's binding log.
 */
export function createRelayOutboxHandler({ db, dapr, log, tracer }: FunctionRuntime, options: RelayOptions = DEFAULT_RELAY_OPTIONS): BindingHandler {
  return async () => {
    let published = 0;
    let refusals = 0;
    for (let claim = 0; claim < options.maxClaims; claim++) {
      // Started before the lease is taken, so it ends no later than the lease in the database.
      const stopPublishingAt = performance.now() + options.leaseMs - options.publishTimeoutMs;
      const keys = await claimKeys(db, options);
      const done: string[] = [];
      const refused: Refusal[] = [];
      for (const events of keys) {
        for (const event of events) {
          if (performance.now() >= stopPublishingAt) break;
          try {
            // In the trace of the work that wrote the row.
            await publishEvent({ dapr, pubsub: PUBSUB_NAME, tracer }, event);
            done.push(event.id);
          } catch (error) {
            const unpublishable = error instanceof UnpublishableEventError;
            log.warn(
              { err: error, eventId: event.id, partitionKey: event.partitionKey },
              unpublishable
                ? "the sidecar refused an outbox event for good; it is parked"
                : "the sidecar refused an outbox event; its key waits for the next tick",
            );
            refused.push({ id: event.id, error: (error as Error).message, unpublishable });
            break;
          }
        }
      }
      // A refusal counts towards parking only if the sidecar accepted something else in this tick: not an outage.
      const claimed = keys.flat().map((event) => event.id);
      await settleClaim(db, { claimed, published: done, refused, refusalsCount: published + done.length > 0 });
      published += done.length;
      refusals += refused.length;
      const full = keys.length === options.keys || keys.some((events) => events.length === options.perKey);
      if (!full || refused.length > 0) break;
    }
    if (refusals > 0) throw new RetryableError(`published ${published} events; the sidecar refused ${refusals}, whose keys wait for the next tick`);
    return { published };
  };
}
