package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageReader;
import dev.loopserve.messages.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Feeds results to {@link CallbackDelivery}. The replicas share one consumer group, so each result
 * is called back by one replica; its offset is committed after the delivery returns, so a replica
 * that dies mid-delivery leaves it to the next owner of the partition (at least once). A new group
 * starts at the end of the topic: results from before the first gateway started have no callback.
 */
class CallbackListener {

  static final String GROUP = "loopserve-gateway-callbacks";

  private final CallbackDelivery delivery;
  private final MessageReader<InferenceResult> results;

  CallbackListener(CallbackDelivery delivery, MessageReader<InferenceResult> results) {
    this.delivery = delivery;
    this.results = results;
  }

  @KafkaListener(
      id = GROUP,
      groupId = GROUP,
      topics = Topics.RESULTS,
      properties = {
        "auto.offset.reset=latest",
        "key.deserializer=org.apache.kafka.common.serialization.StringDeserializer",
        "value.deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer"
      })
  void onResult(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return; // a tombstone on the compacted topic
    }
    results
        .read(r.topic(), r.partition(), r.offset(), r.key(), r.value())
        .ifPresent(delivery::deliver);
  }
}
