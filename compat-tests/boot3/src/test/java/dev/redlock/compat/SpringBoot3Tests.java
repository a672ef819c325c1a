package dev.redlock.compat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

import dev.redlock.DistributedLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The starter in a real Spring Boot 3.5 application (with Actuator and Boot 3's Jedis 6): the
 * startup stops with Spring Boot's failure report naming the version and the fix, before any
 * auto-configuration could fail with a NoClassDefFoundError.
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringBoot3Tests {

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

		@Bean
		Job job() {
			return new Job();
		}

	}

	static class Job {

		@DistributedLock(key = "#id")
		public String pay(String id) {
			return "paid " + id;
		}

	}

	@Test
	void startupShouldStopWithAReportNamingTheSpringBootVersion(CapturedOutput output) {
		assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
		Throwable failure = catchThrowable(() -> new SpringApplication(App.class).run("--spring.main.web-application-type=none",
				"--redlock.nodes=redis://127.0.0.1:1"));
		assertThat(failure).isNotNull()
			.hasMessageContaining("needs Spring Boot 4.0 or newer")
			.isInstanceOf(IllegalStateException.class);
		assertThat(failure.getClass().getName()).isEqualTo("dev.redlock.autoconfigure.RedlockStartupException");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Redlock cannot start. Spring Boot " + SpringBootVersion.getVersion() + " is on the classpath; the "
					+ "Redlock starter (dev.redlock:redlock-spring-boot-autoconfigure) needs Spring Boot 4.0 or newer")
			.contains("Upgrade the application to Spring Boot 4.0 or newer")
			.doesNotContain("NoClassDefFoundError");
	}

}
