package dev.loopserve.inference;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Serves the model packages under {@code loopserve.inference.models-dir} from Kafka. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class InferenceApplication {

  public static void main(String[] args) {
    SpringApplication.run(InferenceApplication.class, args);
  }
}
