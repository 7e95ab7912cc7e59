package dev.loopserve.scheduler.policy;

import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.policy.UnknownModelException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The policy in force per model, and the operator's override of it (admin credential, see {@link
 * AdminInterceptor}).
 */
@RestController
@RequestMapping(path = "/v1/policy", produces = MediaType.APPLICATION_JSON_VALUE)
class PolicyController {

  private final PolicyService policies;

  PolicyController(PolicyService policies) {
    this.policies = policies;
  }

  @GetMapping
  List<PolicySnapshot> all() {
    return policies.all();
  }

  @GetMapping("/{model}")
  PolicySnapshot one(@PathVariable String model) {
    return policies.all().stream()
        .filter(s -> s.model().equals(model))
        .findFirst()
        .orElseThrow(() -> new UnknownModelException(model));
  }

  @PutMapping(path = "/{model}", consumes = MediaType.APPLICATION_JSON_VALUE)
  PolicySnapshot override(@PathVariable String model, @RequestBody OverrideRequest request) {
    return policies.override(model, request);
  }
}
