package dev.redlock.autoconfigure;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;

import dev.redlock.DistributedLock;
import dev.redlock.core.Redlock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without Jedis 7 the startup fails with a report instead of the locks silently not being taken.
 * The classes are hidden here; {@code compat-tests/jedis6} runs the same with a real Jedis 6.0.0.
 */
class JedisAvailabilityTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.nodes=redis://127.0.0.1:1", "redlock.restart-guard.enabled=false")
		.withBean(Job.class);

	/** Public: proxied through the filtering class loader. */
	public static class Job {

		@DistributedLock(key = "#id")
		public String pay(String id) {
			return "paid " + id;
		}

	}

	private static FailureAnalysis analysis(Throwable failure) {
		return new RedlockConfigurationFailureAnalyzer().analyze(failure);
	}

	@Test
	void jedisWithoutRedisClientShouldStopStartupNamingItsVersion() {
		String version = JedisAvailability.version(getClass().getClassLoader());
		this.runner.withClassLoader(new FilteredClassLoader(RedisClient.class)).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analysis(context.getStartupFailure());
			assertThat(analysis.getDescription()).isEqualTo("Redlock cannot start. Jedis " + version + " is on the "
					+ "classpath; the Redlock starter needs Jedis 7.x (class redis.clients.jedis.RedisClient is missing)");
			assertThat(analysis.getAction()).contains("Use Jedis 7.x")
				.contains("remove any jedis.version override")
				.contains("set redlock.enabled=false");
		});
	}

	@Test
	void noJedisShouldStopStartupSayingSo() {
		ClassLoader withoutDescriptor = new FilteredClassLoader(new ClassPathResource(JedisAvailability.POM_PROPERTIES));
		this.runner.withClassLoader(new FilteredClassLoader(withoutDescriptor, RedisClient.class, Jedis.class))
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).startsWith("Redlock cannot start. Jedis is not on the classpath; "
						+ "the Redlock starter needs Jedis 7.x");
				assertThat(analysis.getAction()).contains("redlock-spring-boot-starter");
			});
	}

	@Test
	void disabledLockingShouldStartWithoutJedisAndWithoutNodes() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
			.withPropertyValues("redlock.enabled=false")
			.withBean(Job.class)
			.withClassLoader(new FilteredClassLoader("redis.clients"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(Redlock.class).isEnabled()).isFalse();
				assertThat(context.getBean(Job.class).pay("o-1")).isEqualTo("paid o-1");
			});
	}

	@Test
	void versionShouldBeReadFromTheJar() {
		assertThat(JedisAvailability.version(getClass().getClassLoader())).matches("7\\.\\d+\\.\\d+.*");
		assertThat(JedisAvailability.version(new FilteredClassLoader(
				new FilteredClassLoader(new ClassPathResource(JedisAvailability.POM_PROPERTIES)), Jedis.class)))
			.isNull();
	}

}
