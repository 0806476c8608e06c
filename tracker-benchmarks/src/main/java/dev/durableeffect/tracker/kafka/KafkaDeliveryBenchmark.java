package dev.durableeffect.tracker.kafka;

import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.benchmarks.Events;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Events per second to a Kafka broker in this JVM (spring-kafka-test's KRaft broker, 4 partitions):
 * {@code tracker} emits {@value #EVENTS} events into a {@link KafkaTracker} and waits for its flush
 * (every record acknowledged); {@code bareProducer} is the ceiling, a {@code KafkaProducer} with the
 * tracker's producer settings sending the same records (key, wire JSON value, three headers) in a
 * loop, then {@code flush()}. Both per {@code compression} ({@code lz4}, {@code zstd}); the
 * producer's {@code compression-rate-avg} (compressed / uncompressed bytes) is printed at the end of
 * each {@code bareProducer} trial. The broker runs in the same JVM, so both share its CPU: the ratio
 * is the figure to read, not the absolute rate.
 *
 * <pre>
 * ./mvnw -B -o -pl tracker-benchmarks -am package -DskipTests
 * java -jar tracker-benchmarks/target/benchmarks.jar KafkaDeliveryBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class KafkaDeliveryBenchmark {

  static final int EVENTS = 10_000;
  private static final int WORKFLOWS = 500;

  @Param({"lz4", "zstd"})
  public String compression;

  private EmbeddedKafkaKraftBroker broker;
  private KafkaTracker tracker;
  private KafkaProducer<byte[], byte[]> producer;
  private KafkaTrackerConfig config;
  private WorkflowEvent[] events;
  private List<ProducerRecord<byte[], byte[]>> records;
  private final AtomicLong failures = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() {
    broker = new EmbeddedKafkaKraftBroker(1, 4);
    broker.afterPropertiesSet();
    String topic = "bench-" + compression + "-" + System.nanoTime();
    broker.addTopics(new NewTopic(topic, 4, (short) 1));
    config =
        KafkaTrackerConfig.builder()
            .bootstrapServers(broker.getBrokersAsString())
            .topic(topic)
            .env("production")
            .serviceKey("orders")
            .maxQueueSize(4 * EVENTS)
            .producerProperty("compression.type", compression)
            .build();
    tracker = KafkaTracker.create(config);
    events = new WorkflowEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      events[i] = Events.stepCompleted(i % WORKFLOWS);
    }
    records =
        java.util.Arrays.stream(events)
            .map(
                event -> {
                  WireEvent wire = new WireEvent(event, config.env(), config.serviceKey());
                  List<Header> headers =
                      List.of(
                          new RecordHeader("eventId", event.base().eventId().getBytes(StandardCharsets.UTF_8)),
                          new RecordHeader("type", event.type().wireName().getBytes(StandardCharsets.UTF_8)),
                          new RecordHeader("content-type", "application/json".getBytes(StandardCharsets.US_ASCII)));
                  return new ProducerRecord<>(
                      topic,
                      null,
                      null,
                      event.base().workflowId().getBytes(StandardCharsets.UTF_8),
                      EventJson.toJsonBytes(wire),
                      headers);
                })
            .toList();
    Map<String, Object> properties = ProducerSettings.of(config).properties();
    // The bare loop may wait for metadata and buffer space; the tracker never does.
    properties.put("max.block.ms", "60000");
    producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long tracker() {
    for (WorkflowEvent event : events) {
      tracker.emit(event);
    }
    tracker.flush().join();
    return tracker.stats().delivered();
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long bareProducer() {
    for (ProducerRecord<byte[], byte[]> record : records) {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              failures.incrementAndGet();
            }
          });
    }
    producer.flush();
    return failures.get();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
      if (metric.getKey().name().equals("compression-rate-avg") && metric.getKey().group().equals("producer-metrics")) {
        System.out.println("compression " + compression + ": compression-rate-avg " + metric.getValue().metricValue());
      }
    }
    producer.close(Duration.ofSeconds(5));
    tracker.close();
    TrackerStats stats = tracker.stats();
    broker.destroy();
    if (stats.dropped() > 0 || failures.get() > 0) {
      throw new IllegalStateException(
          "the run dropped events and does not count: tracker " + stats + ", bare producer failures " + failures.get());
    }
  }
}
