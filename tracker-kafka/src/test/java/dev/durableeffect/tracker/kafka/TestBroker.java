package dev.durableeffect.tracker.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker in this JVM (spring-kafka-test's KRaft broker), reached through a {@link
 * CuttableProxy} that the broker advertises as its address, so a test can make it unreachable and
 * bring it back. Topics are made per test, with {@value #PARTITIONS} partitions.
 */
public final class TestBroker implements AutoCloseable {

  static final int PARTITIONS = 4;
  private static final AtomicInteger TOPICS = new AtomicInteger();

  private final EmbeddedKafkaKraftBroker broker;
  private final CuttableProxy proxy;

  private TestBroker(EmbeddedKafkaKraftBroker broker, CuttableProxy proxy) {
    this.broker = broker;
    this.proxy = proxy;
  }

  public static TestBroker start() {
    CuttableProxy proxy = new CuttableProxy();
    EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
    broker.brokerProperties(
        Map.of(
            "advertised.listeners", "EXTERNAL://localhost:" + proxy.port(),
            "auto.create.topics.enable", "false"));
    broker.afterPropertiesSet();
    String real = broker.getBrokersAsString();
    proxy.forwardTo(Integer.parseInt(real.substring(real.lastIndexOf(':') + 1)));
    return new TestBroker(broker, proxy);
  }

  /** Bootstrap servers as the tracker sees them: the proxy. */
  public String bootstrapServers() {
    return "localhost:" + proxy.port();
  }

  /** A new topic with {@value #PARTITIONS} partitions and the given topic configuration. */
  public String newTopic(Map<String, String> config) {
    String name = "events-" + TOPICS.incrementAndGet();
    broker.addTopics(new NewTopic(name, PARTITIONS, (short) 1).configs(config));
    return name;
  }

  public String newTopic() {
    return newTopic(Map.of());
  }

  /**
   * Stops the broker itself (its KRaft controller keeps running); {@link #startBroker()} starts it
   * again. Through the testkit's API by reflection: its class moved between Kafka 3.9 and 4.x.
   */
  public void stopBroker() {
    for (Object server : brokerServers()) {
      invoke(server, "shutdown");
    }
  }

  /** Starts the stopped broker again, with its log, and points the proxy at its (possibly new) port. */
  public void startBroker() {
    for (Object server : brokerServers()) {
      invoke(server, "startup");
    }
    String real = broker.getBrokersAsString();
    proxy.forwardTo(Integer.parseInt(real.substring(real.lastIndexOf(':') + 1)));
  }

  private java.util.Collection<?> brokerServers() {
    Object cluster = invoke(broker, "getCluster");
    return ((Map<?, ?>) invoke(cluster, "brokers")).values();
  }

  private static Object invoke(Object target, String method) {
    try {
      return target.getClass().getMethod(method).invoke(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot call " + method + " on " + target.getClass().getName(), e);
    }
  }

  /** The broker becomes unreachable. */
  public void cut() {
    proxy.cut();
  }

  /** The broker is reachable again. */
  public void restore() {
    proxy.restore();
  }

  /** Every record of {@code topic}, partition by partition, each in log order; waits until there are {@code expected}. */
  public List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected, Duration timeout) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long until = System.nanoTime() + timeout.toNanos();
      while (records.size() < expected && System.nanoTime() - until < 0) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      // A little longer, to see records beyond the expected count (duplicates) too.
      consumer.poll(Duration.ofMillis(300)).forEach(records::add);
    }
    return records;
  }

  @Override
  public void close() {
    try {
      broker.destroy();
    } finally {
      proxy.close();
    }
  }
}
