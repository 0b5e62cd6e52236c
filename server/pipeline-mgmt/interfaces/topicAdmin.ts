/** Kafka topics and consumer groups of pipelines. */
export interface TopicAdmin {
  /** Creates one topic and waits for its leaders; `exists` when it was already there (and is left alone). */
  createTopic(spec: {
    name: string;
    partitions: number;
    replicationFactor: number;
  }): Promise<'created' | 'exists'>;
  /** Deletes those of `names` that exist (missing ones are ignored) and returns them. */
  deleteTopics(names: string[]): Promise<string[]>;
  /** Deletes a consumer group. */
  deleteConsumerGroup(groupId: string): Promise<'deleted' | 'not_found' | 'not_empty'>;
}
