package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.redlock.DistributedLock;
import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leases far above the restart guard's hold-out, with every setting at its default (the guard on,
 * its hold-out the 30 s lease time), on 3 real nodes: a 5-minute {@code tryAcquire} and
 * {@code LockTemplate} lease and a 10-minute {@code @DistributedLock} work, and no node that has
 * the key was told a TTL above the hold-out.
 */
class LongLeaseDefaultsTests {

	private static final long HOLD_OUT_MILLIS = 30_000;

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));

	@Test
	void aFiveMinuteTryAcquireShouldWorkWithDefaultsAndTellNoNodeMoreThanTheHoldOut() {
		this.runner.run((context) -> {
			LockTemplate template = context.getBean(LockTemplate.class);
			Optional<LockHandle> handle = template.tryAcquire("five-minutes", Duration.ofMinutes(5), Duration.ZERO);
			assertThat(handle).isPresent();
			assertThat(handle.get().remaining()).isLessThanOrEqualTo(Duration.ofMillis(HOLD_OUT_MILLIS));
			// the acquisition returns on a quorum: wait for the last node, then read every copy
			await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(nodesWith("redlock:five-minutes"))
				.isEqualTo(redis.servers().size()));
			assertThat(longestTtl("redlock:five-minutes")).isPositive().isLessThanOrEqualTo(HOLD_OUT_MILLIS);
			assertThat(template.tryAcquire("five-minutes", Duration.ofMinutes(5), Duration.ZERO)).as("held")
				.isEmpty();
			handle.get().close();
			assertThat(redis.servers().keysOnMajority("redlock:five-minutes")).isEmpty();
		});
	}

	@Test
	void aFiveMinuteLockTemplateLeaseShouldWorkWithDefaults() {
		this.runner.run((context) -> {
			long ttl = context.getBean(LockTemplate.class)
				.execute("template-five-minutes", Duration.ofMinutes(5), Duration.ZERO,
						(handle) -> longestTtl("redlock:template-five-minutes"));
			assertThat(ttl).isPositive().isLessThanOrEqualTo(HOLD_OUT_MILLIS);
		});
	}

	@Test
	void aTenMinuteDistributedLockShouldPassTheStartupCheckAndRunWithDefaults() {
		this.runner.withBean(BatchJob.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(BatchJob.class).run("nightly")).isPositive()
				.isLessThanOrEqualTo(HOLD_OUT_MILLIS);
		});
	}

	/** The longest time to live of the key over the nodes, in milliseconds. */
	static long longestTtl(String key) {
		return redis.servers().all().stream().mapToLong((server) -> (Long) server.call("PTTL", key)).max().orElseThrow();
	}

	private static long nodesWith(String key) {
		return redis.servers().all().stream().filter((server) -> hasKey(server, key)).count();
	}

	private static boolean hasKey(RedisServerProcess server, String key) {
		return ((Long) server.call("EXISTS", key)) == 1;
	}

	static class BatchJob {

		@DistributedLock(key = "#name", leaseTime = "10m")
		public long run(String name) {
			return longestTtl("redlock:" + name);
		}

	}

}
