package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM appending to the spool is killed with SIGKILL; what it appended survives intact. */
class SpoolKillTest {

  /** Large enough that nothing is evicted however far the child gets before it is killed. */
  private static final long MAX_BYTES = 1L << 30;

  @TempDir Path dir;

  @Test
  void everythingAppendedBeforeSigkillIsRecoveredIntactAndNothingCountsAsDamaged() throws Exception {
    Process child = SpoolFixtures.startChild(ChildWriter.class, dir);
    long reportedByChild = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("appended ")) {
          reportedByChild = Long.parseLong(line.substring("appended ".length()));
          if (reportedByChild >= 20_000) {
            break;
          }
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(reportedByChild).isGreaterThanOrEqualTo(20_000);

    try (SpoolStore store = SpoolStore.open(SpoolFixtures.config(dir, MAX_BYTES), Clock.systemUTC())) {
      SpoolStore.Recovery recovery = store.recovery();
      assertThat(recovery.corrupt()).isZero();
      assertThat(recovery.records()).isGreaterThanOrEqualTo(reportedByChild);
      long expected = 0;
      for (List<SpoolRecord> batch = store.read(1000, Long.MAX_VALUE);
          !batch.isEmpty();
          batch = store.read(1000, Long.MAX_VALUE)) {
        for (SpoolRecord record : batch) {
          assertThat(record.sequence()).isEqualTo(expected);
          assertThat(record).isEqualTo(withStoredValues(record));
          expected++;
        }
        store.acknowledge(batch.get(0).sequence(), batch.size());
      }
      assertThat(expected).isEqualTo(recovery.records());
      assertThat(store.drainCorrupt()).isZero();
    }
  }

  private static SpoolRecord withStoredValues(SpoolRecord read) {
    SpoolRecord original = SpoolFixtures.record(SpoolFixtures.numberOf(read), 300);
    return new SpoolRecord(
        read.sequence(), read.appendedAtMillis(), original.workflowId(), original.eventId(), original.type(), original.json());
  }

  /** Appends batches of 100 records until killed, reporting each completed append on stdout. */
  public static final class ChildWriter {
    public static void main(String[] args) throws IOException {
      SpoolStore store = SpoolStore.open(SpoolFixtures.config(Path.of(args[0]), MAX_BYTES), Clock.systemUTC());
      for (int n = 0; ; n += 100) {
        store.append(records(n, 100, 300));
        System.out.println("appended " + (n + 100));
        System.out.flush();
      }
    }
  }
}
