package dev.loopserve.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.servlet.ModelAndView;

class ApiKeyFilterTest {

  private final MutableClock clock = new MutableClock();
  private final ApiKeys keys =
      ApiKeys.of(
          Map.of(
              "user",
              new AuthProperties.Key(
                  ApiKeysTest.sha256("user-key"), "acme", false, null, 2, null, null),
              "ops",
              new AuthProperties.Key(
                  ApiKeysTest.sha256("ops-key"), "ops", true, null, null, null, null)),
          new Limits(1, 10, 10, 10));
  private final Caller anonymous = new Caller("default", "anonymous", false);

  /** What the filter handed to the exception resolver, if anything. */
  private ErrorResponseException rejected;

  private ApiKeyFilter filter(ApiKeys keys) {
    return new ApiKeyFilter(
        keys,
        anonymous,
        new KeyRateLimiter(clock),
        (request, response, handler, ex) -> {
          rejected = (ErrorResponseException) ex;
          response.setStatus(rejected.getStatusCode().value());
          return new ModelAndView();
        });
  }

  private record Outcome(int status, Caller caller, boolean passedOn) {}

  private Outcome run(ApiKeyFilter filter, MockHttpServletRequest request) throws Exception {
    rejected = null;
    MockHttpServletResponse response = new MockHttpServletResponse();
    MockFilterChain chain = new MockFilterChain();
    filter.doFilter(request, response, chain);
    return new Outcome(
        response.getStatus(),
        (Caller) request.getAttribute(Caller.ATTRIBUTE),
        chain.getRequest() != null);
  }

  private static MockHttpServletRequest get(String uri) {
    return new MockHttpServletRequest("GET", uri);
  }

  @Test
  void aBearerKeyOrAnXApiKeyBecomesTheCaller() throws Exception {
    MockHttpServletRequest bearer = get("/v1/prompts/x");
    bearer.addHeader(HttpHeaders.AUTHORIZATION, "Bearer user-key");
    Outcome out = run(filter(keys), bearer);
    assertThat(out.passedOn()).isTrue();
    assertThat(out.caller()).isEqualTo(new Caller("acme", "user", false, new Limits(1, 2, 10, 10)));

    MockHttpServletRequest header = get("/v1/models");
    header.addHeader("X-API-Key", "ops-key");
    assertThat(run(filter(keys), header).caller().tenant()).isEqualTo("ops");
  }

  @Test
  void noKeyIs401WithAChallenge() throws Exception {
    Outcome out = run(filter(keys), get("/v1/models"));
    assertThat(out.status()).isEqualTo(401);
    assertThat(out.passedOn()).isFalse();
    assertThat(out.caller()).isNull();
    assertThat(rejected.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE))
        .isEqualTo("Bearer realm=\"loopserve\"");
  }

  @Test
  void aWrongKeyOrSchemeIs401InvalidToken() throws Exception {
    for (String authorization : new String[] {"Bearer nope", "Basic dXNlcjprZXk=", "Bearer  "}) {
      MockHttpServletRequest request = get("/v1/models");
      request.addHeader(HttpHeaders.AUTHORIZATION, authorization);
      assertThat(run(filter(keys), request).status()).as(authorization).isEqualTo(401);
      assertThat(rejected.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE))
          .contains("error=\"invalid_token\"");
    }
  }

  @Test
  void adminRoutesNeedAnAdminKeyHoweverThePathIsSpelled() throws Exception {
    for (String uri : new String[] {"/admin/tenants", "/%61dmin/tenants", "/admin;x=1/tenants"}) {
      MockHttpServletRequest user = get(uri);
      user.addHeader(HttpHeaders.AUTHORIZATION, "Bearer user-key");
      assertThat(run(filter(keys), user).status()).as(uri).isEqualTo(403);
      assertThat(rejected.getBody().getType().toString()).endsWith("/forbidden");
    }
    MockHttpServletRequest ops = get("/admin/tenants");
    ops.addHeader(HttpHeaders.AUTHORIZATION, "Bearer ops-key");
    assertThat(run(filter(keys), ops).passedOn()).isTrue();
    assertThat(run(filter(keys), get("/admin/tenants")).status())
        .as("no key at all is still 401")
        .isEqualTo(401);
  }

  @Test
  void overTheRateIs429WithRetryAfter() throws Exception {
    ApiKeyFilter filter = filter(keys);
    for (int i = 0; i < 2; i++) {
      MockHttpServletRequest request = get("/v1/models");
      request.addHeader(HttpHeaders.AUTHORIZATION, "Bearer user-key");
      assertThat(run(filter, request).passedOn()).isTrue();
    }
    MockHttpServletRequest third = get("/v1/models");
    third.addHeader(HttpHeaders.AUTHORIZATION, "Bearer user-key");
    assertThat(run(filter, third).status()).isEqualTo(429);
    assertThat(rejected.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
    assertThat(rejected.getBody().getDetail()).contains("'user' may make 1 requests per second");

    clock.advance(java.time.Duration.ofSeconds(1));
    MockHttpServletRequest later = get("/v1/models");
    later.addHeader(HttpHeaders.AUTHORIZATION, "Bearer user-key");
    assertThat(run(filter, later).passedOn()).isTrue();
  }

  @Test
  void theApiDocumentNeedsNoKeyButLookalikesDo() throws Exception {
    assertThat(run(filter(keys), get("/v3/api-docs")).passedOn()).isTrue();
    assertThat(run(filter(keys), get("/v3/api-docs/swagger-config")).passedOn()).isTrue();
    assertThat(run(filter(keys), get("/swagger-ui/index.html")).passedOn()).isTrue();
    assertThat(run(filter(keys), get("/v3/api-docs/../../v1/models")).status()).isEqualTo(401);
    assertThat(run(filter(keys), get("/v3/other")).status()).isEqualTo(401);
  }

  @Test
  void withoutKeysEveryoneIsTheAnonymousCallerAndAdminRoutesAreClosed() throws Exception {
    Outcome out = run(filter(null), get("/v1/models"));
    assertThat(out.passedOn()).isTrue();
    assertThat(out.caller()).isEqualTo(anonymous);
    assertThat(run(filter(null), get("/admin/tenants")).status()).isEqualTo(403);
    assertThat(rejected.getBody().getDetail()).contains("authentication is off");
  }
}
