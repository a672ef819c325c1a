package dev.redlock.compat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

import dev.redlock.CurrentLock;
import dev.redlock.DistributedLock;
import dev.redlock.LockTemplate;
import dev.redlock.core.Redlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The starter on Spring Boot 4 with a real Jedis 6.0.0 on the classpath: with locking on, the
 * startup fails with a report naming Jedis 6.0.0 (before, the auto-configuration backed off and
 * every {@code @DistributedLock} method ran without a lock); with {@code redlock.enabled=false} the
 * application starts and never touches a Jedis 7 class.
 */
@ExtendWith(OutputCaptureExtension.class)
class Jedis6Tests {

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
			return "paid " + id + (CurrentLock.handle().isPresent() ? " under its handle" : "");
		}

	}

	@Test
	void theClasspathShouldHoldJedis6WithoutRedisClient() {
		assertThat(ClassUtils.isPresent("redis.clients.jedis.Jedis", null)).isTrue();
		assertThat(ClassUtils.isPresent("redis.clients.jedis.RedisClient", null)).isFalse();
	}

	@Test
	void lockingOnShouldStopTheStartupNamingJedis6(CapturedOutput output) {
		Throwable failure = catchThrowable(() -> new SpringApplication(App.class).run("--redlock.nodes=redis://127.0.0.1:1"));
		assertThat(failure).isNotNull().hasMessageContaining("Jedis 6.0.0 is on the classpath");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Redlock cannot start. Jedis 6.0.0 is on the classpath; the Redlock starter needs Jedis 7.x "
					+ "(class redis.clients.jedis.RedisClient is missing)")
			.contains("Use Jedis 7.x")
			.doesNotContain("NoClassDefFoundError");
	}

	@Test
	void lockingOffShouldStartWithoutJedis7AndRunTheMethods(CapturedOutput output) {
		try (ConfigurableApplicationContext context = new SpringApplication(App.class).run("--redlock.enabled=false")) {
			assertThat(context.getBean(Redlock.class).isEnabled()).isFalse();
			assertThat(context.getBean(Job.class).pay("o-1")).isEqualTo("paid o-1 under its handle");
			String key = context.getBean(LockTemplate.class).execute("k", (handle) -> handle.key());
			assertThat(key).isEqualTo("redlock:k");
		}
		assertThat(output).contains("Redlock locking is disabled (redlock.enabled=false)");
	}

}
