package dev.loopserve.scheduler.policy;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the admin credential in front of every change to the policy. */
@Configuration(proxyBeanMethods = false)
class PolicyWebConfiguration implements WebMvcConfigurer {

  private final AdminProperties admin;

  PolicyWebConfiguration(AdminProperties admin) {
    this.admin = admin;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry
        .addInterceptor(new AdminInterceptor(new AdminCredential(admin.tokenSha256())))
        .addPathPatterns("/v1/policy/**");
  }
}
