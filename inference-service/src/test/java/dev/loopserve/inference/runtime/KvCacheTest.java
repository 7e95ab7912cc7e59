package dev.loopserve.inference.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class KvCacheTest {

  private static final int HIDDEN = 2;

  /** Writes, for every position of every step slot, a value naming its position and step. */
  private static void fill(KvCache kv, int from, int to, int steps) {
    for (int step = 1; step <= steps; step++) {
      float[] keys = kv.slot(KvCache.Stage.CORE, true, 0, step);
      float[] values = kv.slot(KvCache.Stage.CORE, false, 0, step);
      for (int p = from; p < to; p++) {
        for (int d = 0; d < HIDDEN; d++) {
          keys[p * HIDDEN + d] = 100 * p + step;
          values[p * HIDDEN + d] = -(100 * p + step);
        }
      }
    }
  }

  private static float[] past(KvCache kv, boolean keys, int step, int offset) {
    FloatBuffer dst = FloatBuffer.allocate(offset + kv.committed() * HIDDEN);
    kv.copyPast(KvCache.Stage.CORE, keys, 0, step, dst, offset);
    float[] out = new float[kv.committed()];
    for (int p = 0; p < out.length; p++) {
      out[p] = dst.get(offset + p * HIDDEN);
      assertThat(dst.get(offset + p * HIDDEN + 1)).isEqualTo(out[p]);
    }
    return out;
  }

  @Test
  void positionsThatExitedEarlyAreSeenAtTheirExitStepByDeeperSteps() {
    KvCache kv = new KvCache(8, HIDDEN, 1, 1, 1);
    fill(kv, 0, 3, 4); // a 3-token prompt that ran 4 steps
    kv.commit(3, 4);
    fill(kv, 3, 4, 2); // a token that exited after 2
    kv.commit(4, 2);
    fill(kv, 4, 5, 6); // one that ran 6
    kv.commit(5, 6);

    assertThat(past(kv, true, 1, 0)).containsExactly(1, 101, 201, 301, 401);
    assertThat(past(kv, true, 3, 0)).containsExactly(3, 103, 203, 302, 403);
    assertThat(past(kv, true, 6, 4)).containsExactly(4, 104, 204, 302, 406);
    assertThat(past(kv, false, 5, 2)).containsExactly(-4, -104, -204, -302, -405);
  }

  @Test
  void onlyCommittedPositionsArePast() {
    KvCache kv = new KvCache(4, HIDDEN, 1, 1, 1);
    assertThat(kv.committed()).isZero();
    fill(kv, 0, 2, 3);
    assertThat(past(kv, true, 3, 0)).isEmpty();
    kv.commit(2, 3);
    assertThat(kv.committed()).isEqualTo(2);
    assertThat(past(kv, true, 3, 0)).containsExactly(3, 103);
  }

  @Test
  void aTokenWithoutCoreStepsCannotBeCommitted() {
    KvCache kv = new KvCache(4, HIDDEN, 1, 1, 1);
    assertThatThrownBy(() -> kv.commit(1, 0)).isInstanceOf(IllegalStateException.class);
  }
}
