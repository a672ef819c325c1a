package dev.redlock.aop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.CurrentLock;
import dev.redlock.DistributedLock;
import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockTemplate;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Random and hostile method arguments through SpEL keys, and durations at their edges: each call
 * either locks correctly or fails with a clear exception, and no key is ever left behind.
 */
class BadInputTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private ApplicationContextRunner runner() {
		return LockingContexts.on(redis, Beans.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class Beans {

		@Bean
		Keyed keyed() {
			return new Keyed();
		}

	}

	static class Keyed {

		@DistributedLock(key = "#key")
		public String lock(Object key) {
			LockHandle handle = CurrentLock.handle().orElseThrow();
			long holders = redis.servers().all().stream().filter((s) -> s.call("GET", handle.key()) != null).count();
			return (holders >= 2) ? handle.key() : "not held: " + handle.key();
		}

	}

	private static String randomKey(Random random) {
		String[] pieces = { "{", "}", " ", "\n", "\t", "\r\n", ":", "*", "?", "[", "]", "\\", "\"", "'", "é", "ß", "日本",
				"🔒", "\u0000", "%s", "${x}", "#{1+1}", "redlock:", "a" };
		StringBuilder key = new StringBuilder();
		int parts = 1 + random.nextInt(12);
		for (int i = 0; i < parts; i++) {
			key.append(pieces[random.nextInt(pieces.length)]);
		}
		return key.toString();
	}

	private static List<String> allKeys() {
		List<String> keys = new ArrayList<>();
		for (RedisServerProcess server : redis.servers().all()) {
			keys.addAll(server.keys("*"));
		}
		return keys;
	}

	@Test
	void randomKeysShouldLockExactlyThatKeyOrFailClearlyAndLeaveNothing() {
		long seed = Long.getLong("badinput.seed", 20261122L);
		Random random = new Random(seed);
		runner().run((context) -> {
			Keyed keyed = context.getBean(Keyed.class);
			int locked = 0;
			int refused = 0;
			for (int i = 0; i < 300; i++) {
				String key = (i % 50 == 49) ? null : randomKey(random);
				if (key == null || key.isBlank()) {
					assertThatIllegalArgumentException().as("seed %d, key %s", seed, key)
						.isThrownBy(() -> keyed.lock(key))
						.withMessageContaining("Keyed.lock(Object)")
						.withMessageContaining("'#key'");
					refused++;
				}
				else {
					assertThat(keyed.lock(key)).as("seed %d, key [%s]", seed, key).isEqualTo("redlock:" + key);
					locked++;
				}
			}
			assertThat(locked).isGreaterThan(200);
			assertThat(refused).isPositive();
			await().atMost(Duration.ofSeconds(2)).until(() -> allKeys().isEmpty());
		});
	}

	@Test
	void keysLongerThanTheLimitShouldBeStoredAsTheirHash() {
		runner().run((context) -> {
			Keyed keyed = context.getBean(Keyed.class);
			String longKey = "x".repeat(10_000);
			String stored = keyed.lock(longKey);
			assertThat(stored).startsWith("redlock:sha256:").hasSize("redlock:sha256:".length() + 64);
			assertThat(keyed.lock(longKey)).as("same key, same hash").isEqualTo(stored);
			assertThat(keyed.lock("y".repeat(512))).isEqualTo("redlock:" + "y".repeat(512));
			await().atMost(Duration.ofSeconds(2)).until(() -> allKeys().isEmpty());
		});
	}

	@Test
	void durationsAtTheirEdgesShouldLockOrFailClearly() {
		runner().run((context) -> {
			LockTemplate template = context.getBean(LockTemplate.class);
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> template.execute("edge", Duration.ofMillis(1), Duration.ZERO, LockHandle::key))
				.withMessageContaining("validity used up");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> template.execute("edge", Duration.ZERO, Duration.ZERO, LockHandle::key))
				.withMessageContaining("leaseTime");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> template.execute("edge", Duration.ofSeconds(1), Duration.ofMillis(-1), LockHandle::key))
				.withMessageContaining("waitTime");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> template.execute("edge", Duration.ofNanos(999_999), Duration.ZERO, LockHandle::key))
				.withMessageContaining("1ms");
			String key = template.execute("edge", Duration.ofDays(36_500), Duration.ZERO, (handle) -> {
				long longest = redis.servers().all().stream()
					.mapToLong((server) -> (Long) server.call("PTTL", "redlock:edge"))
					.max()
					.orElseThrow();
				assertThat(longest).isGreaterThan(Duration.ofDays(36_000).toMillis());
				return handle.key();
			});
			assertThat(key).isEqualTo("redlock:edge");
			await().atMost(Duration.ofSeconds(2)).until(() -> allKeys().isEmpty());
		});
	}

}
