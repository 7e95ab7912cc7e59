package dev.loopserve.gateway.admin;

import dev.loopserve.gateway.prompt.InFlightPrompts;
import dev.loopserve.gateway.security.ApiKey;
import dev.loopserve.gateway.security.ApiKeys;
import dev.loopserve.gateway.security.Caller;
import dev.loopserve.gateway.security.Limits;
import dev.loopserve.gateway.security.SecurityProblems;
import io.swagger.v3.oas.annotations.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Operator views across tenants; every route needs an admin key. */
@RestController
class AdminController {

  /** A key as operators see it: never its hash. */
  record KeySummary(String id, boolean admin, Limits limits) {}

  /**
   * @param inFlight prompts of the tenant queued or running, as this replica's view has seen
   */
  record TenantSummary(String name, int inFlight, List<KeySummary> keys) {}

  record TenantList(List<TenantSummary> tenants) {}

  private final ApiKeys keys;
  private final InFlightPrompts inFlight;

  AdminController(ApiKeys keys, InFlightPrompts inFlight) {
    this.keys = keys;
    this.inFlight = inFlight;
  }

  @Operation(
      summary = "Tenants with their prompts in flight and their keys' limits (admin key)",
      description =
          "Every tenant that has a key or prompts in flight. 401 without a key, 403 with a key"
              + " that is not marked admin.")
  @GetMapping("/admin/tenants")
  TenantList tenants(Caller caller) {
    // The filter refuses non-admin callers on /admin already; checked again so a route can never
    // be reached by a path the filter reads differently.
    if (!caller.admin()) {
      throw SecurityProblems.adminOnly(caller);
    }
    Map<String, Integer> counts = inFlight.inFlightByTenant();
    Map<String, List<KeySummary>> byTenant = new TreeMap<>();
    for (ApiKey key : keys.all()) {
      byTenant
          .computeIfAbsent(key.tenant(), t -> new ArrayList<>())
          .add(new KeySummary(key.id(), key.admin(), key.limits()));
    }
    TreeSet<String> names = new TreeSet<>(byTenant.keySet());
    names.addAll(counts.keySet());
    return new TenantList(
        names.stream()
            .map(
                name ->
                    new TenantSummary(
                        name, counts.getOrDefault(name, 0), byTenant.getOrDefault(name, List.of())))
            .toList());
  }
}
