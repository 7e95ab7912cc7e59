package dev.loopserve.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.ServletWebRequest;

class ProblemHandlingTest {

  @Test
  void anUnexpectedFailureIsA500ThatRevealsNothing() {
    var response =
        new ProblemHandling()
            .handleUnexpected(
                new IllegalStateException("secret table t_prompts at Foo.java:12"),
                new ServletWebRequest(new MockHttpServletRequest()));

    assertThat(response.getStatusCode().value()).isEqualTo(500);
    ProblemDetail problem = (ProblemDetail) response.getBody();
    assertThat(problem.getDetail()).doesNotContain("secret").contains("incident");
    assertThat(problem.getProperties()).containsKey("incident");
    assertThat(problem.toString()).doesNotContain("Foo.java");
  }
}
