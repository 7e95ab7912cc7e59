package dev.loopserve.gateway.security;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

/**
 * Declares in the OpenAPI document how callers authenticate: either scheme will do (two
 * requirements are alternatives). The document itself is served without a key.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
    info = @Info(title = "loopserve gateway", version = "v1"),
    security = {@SecurityRequirement(name = "bearer"), @SecurityRequirement(name = "api-key")})
@SecurityScheme(
    name = "bearer",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description =
        "An API key as 'Authorization: Bearer <key>' (what OpenAI SDKs send). Missing or invalid:"
            + " 401 with WWW-Authenticate; over the key's rate or in-flight limit: 429 with"
            + " Retry-After; a non-admin key on /admin routes: 403. Not needed when the gateway"
            + " runs without keys.")
@SecurityScheme(
    name = "api-key",
    type = SecuritySchemeType.APIKEY,
    in = SecuritySchemeIn.HEADER,
    paramName = ApiKeyFilter.API_KEY_HEADER,
    description = "The same API key in an X-API-Key header, for clients that cannot set Bearer.")
class ApiDocsSecurity {}
