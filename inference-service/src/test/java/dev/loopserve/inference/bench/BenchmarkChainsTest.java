package dev.loopserve.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.inference.TestModels;
import dev.loopserve.inference.model.LoadedModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The adaptive-exit report scores answers against the digits {@link Benchmark#chains} computes
 * while it writes each chain; an independent evaluator of the decoded prompt text must agree.
 */
class BenchmarkChainsTest {

  private final LoadedModel model = TestModels.demo();

  @Test
  void everyChainsAnswerIsWhatItsTextEvaluatesTo() {
    List<Benchmark.Chain> chains = Benchmark.chains(model, 500, 7);

    for (Benchmark.Chain chain : chains) {
      String text = model.tokenizer().decode(chain.ids());
      assertThat(chain.answer()).as(text).isEqualTo(evaluate(text));
    }
    assertThat(chains.stream().map(Benchmark.Chain::answer).distinct()).hasSize(10);
  }

  /** {@code a=3;b=a+4;c=b*2;c?} -> "4": looks every operand up by name, mod 10. */
  private static String evaluate(String text) {
    Map<Character, Integer> values = new HashMap<>();
    String[] statements = text.split(";");
    for (int i = 0; i < statements.length - 1; i++) {
      String s = statements[i];
      char name = s.charAt(0);
      String rhs = s.substring(2);
      if (rhs.length() == 1) {
        values.put(name, rhs.charAt(0) - '0');
        continue;
      }
      int left = values.get(rhs.charAt(0));
      int digit = rhs.charAt(2) - '0';
      int value =
          switch (rhs.charAt(1)) {
            case '+' -> left + digit;
            case '-' -> left - digit;
            case '*' -> left * digit;
            default -> throw new IllegalArgumentException(s);
          };
      values.put(name, Math.floorMod(value, 10));
    }
    String last = statements[statements.length - 1];
    return Integer.toString(values.get(last.charAt(0)));
  }
}
