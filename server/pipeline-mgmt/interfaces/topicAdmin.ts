/** Kafka topics and consumer groups of pipelines. */
export interface TopicAdmin {
  /** Creates one topic and waits for its leaders; `exists` when it was already there (and is left alone). */
  createTopic(spec: {
    name: string;
    partitions: number;
    replicationFactor: number;
  }): Promise<'created' | 'exists'>;
  /** Which of `names` exist now. */
  existingTopics(names: string[]): Promise<string[]>;
  /** Deletes the given topics; missing ones are ignored. */
  deleteTopics(names: string[]): Promise<void>;
  /** Deletes a consumer group. */
  deleteConsumerGroup(groupId: string): Promise<'deleted' | 'not_found' | 'not_empty'>;
}
