/** One record for the bus: Kafka's model (topic, key, value, headers), which any log-based bus can carry. */
export interface OutboundMessage {
  topic: string;
  /** Records with one key stay in one partition, hence in order; the relay uses the streamId. */
  key: string;
  value: Buffer | string;
  headers: Record<string, string>;
}

/**
 * The outbound side of the bus port. An adapter resolves `publish` only once the broker has
 * acknowledged every message durably (Kafka: acks from all in-sync replicas), and writes messages
 * with one key in array order. On rejection any subset may have been written: callers retry the
 * whole array and consumers dedupe (at-least-once).
 */
export interface Publisher {
  publish(messages: readonly OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}
