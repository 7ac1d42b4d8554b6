/**
 * Hands a CloudEvent to the Dapr sidecar's publish endpoint over a keep-alive
 * node:http agent: the one sidecar round trip the baselines pay, like taskfn's outbox.
 */
import { Agent, request } from "node:http";

export type Publish = (cloudEvent: { id: string }, partitionKey: string) => Promise<void>;

export function createPublisher(daprPort: number, pubsub = "pubsub", topic = "tasks"): Publish {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return (cloudEvent, partitionKey) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(cloudEvent);
      const req = request(
        {
          agent,
          host: "127.0.0.1",
          port: daprPort,
          method: "POST",
          path: `/v1.0/publish/${pubsub}/${topic}?metadata.partitionKey=${encodeURIComponent(partitionKey)}`,
          headers: { "content-type": "application/cloudevents+json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          const ok = res.statusCode !== undefined && res.statusCode < 300;
          res.on("end", () => (ok ? resolve() : reject(new Error(`publish answered ${res.statusCode}`))));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}
