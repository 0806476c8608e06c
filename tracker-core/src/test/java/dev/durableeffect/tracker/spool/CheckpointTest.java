package dev.durableeffect.tracker.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file written and read back through the same {@link Checkpoint}. */
class CheckpointTest {

  @TempDir Path dir;

  @Test
  void whatIsWrittenIsReadBackAfterEachWrite() throws Exception {
    Checkpoint checkpoint = new Checkpoint(dir);

    checkpoint.write(42, 3, 4, false);
    assertThat(checkpoint.read()).isEqualTo(new Checkpoint.Read(Checkpoint.Status.VALID, 42, 3, 4, ""));

    checkpoint.write(43, 0, 1, true);
    assertThat(checkpoint.read()).isEqualTo(new Checkpoint.Read(Checkpoint.Status.VALID, 43, 0, 1, ""));
  }

  @Test
  void aWatermarkOfZeroIsValid() throws Exception {
    new Checkpoint(dir).write(0, 0, 0, false);

    assertThat(new Checkpoint(dir).read()).isEqualTo(new Checkpoint.Read(Checkpoint.Status.VALID, 0, 0, 0, ""));
  }
}
