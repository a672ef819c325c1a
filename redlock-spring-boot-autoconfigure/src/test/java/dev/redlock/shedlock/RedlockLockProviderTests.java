package dev.redlock.shedlock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import dev.redlock.AppInstance;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.autoconfigure.RedlockShedLockAutoConfiguration;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The contract that ShedLock's own provider test-support checks, in our words, on 5 real nodes:
 * locking, refusal, expiry, {@code lockAtLeastFor}, a fuzz run and extension.
 */
class RedlockLockProviderTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private static ConfigurableApplicationContext instance;

	private static LockProvider provider;

	private final String name = "job-" + UUID.randomUUID();

	@BeforeAll
	static void startInstance() {
		instance = AppInstance.start(Config.class, redis.uris());
		provider = instance.getBean(LockProvider.class);
	}

	@AfterAll
	static void stopInstance() {
		if (instance != null) {
			instance.close();
		}
	}

	@Test
	void theAutoConfiguredProviderShouldBeRedlocks() {
		assertThat(provider).isInstanceOf(RedlockLockProvider.class);
	}

	@Test
	void lockThenUnlockShouldSetAndDeleteTheKeyOnAMajority() {
		SimpleLock lock = lock(this.name, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
		assertLocked(this.name);
		lock.unlock();
		assertUnlocked(this.name);
	}

	@Test
	void aSecondLockOnTheSameNameShouldBeRefusedWhileTheFirstIsHeld() {
		SimpleLock lock = lock(this.name, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
		assertThat(lock(this.name, Duration.ofMinutes(1), Duration.ZERO)).isEmpty();
		lock.unlock();
	}

	@Test
	void locksOfDifferentNamesShouldBeIndependent() {
		SimpleLock first = lock(this.name, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
		SimpleLock second = lock(this.name + "-other", Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
		assertLocked(this.name);
		assertLocked(this.name + "-other");
		first.unlock();
		assertUnlocked(this.name);
		assertLocked(this.name + "-other");
		second.unlock();
	}

	@Test
	void aNameShouldBeLockableAgainAfterItsUnlock() {
		lock(this.name, Duration.ofMinutes(1), Duration.ZERO).orElseThrow().unlock();
		SimpleLock again = lock(this.name, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
		again.unlock();
		assertUnlocked(this.name);
	}

	@Test
	void aLockShouldExpireAfterLockAtMostFor() {
		lock(this.name, Duration.ofMillis(300), Duration.ZERO).orElseThrow();
		assertThat(lock(this.name, Duration.ofMillis(300), Duration.ZERO)).isEmpty();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertUnlocked(this.name));
		SimpleLock next = lock(this.name, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
		next.unlock();
	}

	@Test
	void lockingRightAfterEachUnlockShouldWorkEveryTime() {
		for (int i = 0; i < 10; i++) {
			SimpleLock lock = lock(this.name, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
			assertThat(lock(this.name, Duration.ofMinutes(1), Duration.ZERO)).as("round %d", i).isEmpty();
			lock.unlock();
		}
		assertUnlocked(this.name);
	}

	@Test
	void unlockShouldKeepTheLockUntilLockAtLeastForHasPassed() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(4), Duration.ofSeconds(1)).orElseThrow();
		lock.unlock();
		assertThat(leaseLeftOnMajority(this.name)).isPositive().isLessThanOrEqualTo(1000);
		assertThat(lock(this.name, Duration.ofMinutes(1), Duration.ZERO)).isEmpty();
		SimpleLock later = await().atMost(Duration.ofSeconds(5))
			.until(() -> lock(this.name, Duration.ofMinutes(1), Duration.ZERO), Optional::isPresent)
			.orElseThrow();
		later.unlock();
	}

	@Test
	void eightThreadsOnTwoNamesShouldCountExactly() throws Exception {
		LockingTaskExecutor executor = new DefaultLockingTaskExecutor(provider);
		int threads = 8;
		int runs = 20;
		int shortRuns = 5;
		int[][] counters = new int[2][1];
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int job = t % 2;
				int wanted = (t == 0) ? shortRuns : runs;
				futures.add(pool.submit(() -> {
					int done = 0;
					while (done < wanted && System.nanoTime() - deadline < 0) {
						boolean[] ran = new boolean[1];
						executor.executeWithLock((Runnable) () -> {
							int seen = counters[job][0];
							// a lost update shows if two holders overlap here
							LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
							counters[job][0] = seen + 1;
							ran[0] = true;
						}, new LockConfiguration(Instant.now(), this.name + "-" + job, Duration.ofSeconds(30),
								Duration.ofMillis(5)));
						if (ran[0]) {
							done++;
						}
						else {
							LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
						}
					}
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(counters[0][0]).isEqualTo((threads / 2 - 1) * runs + shortRuns);
		assertThat(counters[1][0]).isEqualTo(threads / 2 * runs);
	}

	@Test
	void anExtendedLockShouldOutliveItsFirstLease() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(1), Duration.ZERO).orElseThrow();
		SimpleLock extended = lock.extend(Duration.ofSeconds(10), Duration.ZERO).orElseThrow();
		assertThat(leaseLeftOnMajority(this.name)).isGreaterThan(5000);
		await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			assertLocked(this.name);
			assertThat(lock(this.name, Duration.ofMinutes(1), Duration.ZERO)).isEmpty();
		});
		extended.unlock();
		assertUnlocked(this.name);
	}

	@Test
	void aLockShouldExtendSeveralTimes() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(1), Duration.ZERO).orElseThrow();
		SimpleLock last = lock;
		for (int i = 0; i < 3; i++) {
			SimpleLock previous = last;
			last = previous.extend(Duration.ofSeconds(10 + i), Duration.ZERO).orElseThrow();
			assertThatIllegalStateException().isThrownBy(previous::unlock);
		}
		assertThat(leaseLeftOnMajority(this.name)).isGreaterThan(10_000);
		last.unlock();
		assertUnlocked(this.name);
	}

	@Test
	void anUnlockedLockShouldNotExtend() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(10), Duration.ZERO).orElseThrow();
		lock.unlock();
		assertThatIllegalStateException().isThrownBy(() -> lock.extend(Duration.ofSeconds(10), Duration.ZERO));
		assertUnlocked(this.name);
	}

	@Test
	void anExpiredLockShouldNotExtend() {
		SimpleLock lock = lock(this.name, Duration.ofMillis(300), Duration.ZERO).orElseThrow();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertUnlocked(this.name));
		assertThat(lock.extend(Duration.ofSeconds(10), Duration.ZERO)).isEmpty();
		assertUnlocked(this.name);
		assertThatIllegalStateException().isThrownBy(lock::unlock);
	}

	@Test
	void lockAtLeastForOfAnExtensionShouldBeKeptAfterUnlock() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(10), Duration.ZERO).orElseThrow();
		SimpleLock extended = lock.extend(Duration.ofSeconds(10), Duration.ofSeconds(9)).orElseThrow();
		extended.unlock();
		assertLocked(this.name);
		assertThat(leaseLeftOnMajority(this.name)).isGreaterThan(5000).isLessThanOrEqualTo(9000);
		assertThat(lock(this.name, Duration.ofMinutes(1), Duration.ZERO)).isEmpty();
	}

	@Test
	void theOldLockShouldBeUnusableAfterAnExtension() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(10), Duration.ZERO).orElseThrow();
		SimpleLock extended = lock.extend(Duration.ofSeconds(10), Duration.ofSeconds(9)).orElseThrow();
		assertThatIllegalStateException().isThrownBy(lock::unlock);
		assertThatIllegalStateException().isThrownBy(() -> lock.extend(Duration.ofSeconds(10), Duration.ZERO));
		assertLocked(this.name);
		extended.unlock();
	}

	@Test
	void unlockingTwiceShouldThrow() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(10), Duration.ZERO).orElseThrow();
		lock.unlock();
		assertThatIllegalStateException().isThrownBy(lock::unlock).withMessageContaining(this.name);
	}

	@Test
	void badExtensionArgumentsShouldBeRefusedAndLeaveTheLockUsable() {
		SimpleLock lock = lock(this.name, Duration.ofSeconds(10), Duration.ZERO).orElseThrow();
		assertThatIllegalArgumentException().isThrownBy(() -> lock.extend(Duration.ofSeconds(1), Duration.ofSeconds(2)))
			.withMessageContaining("lockAtLeastFor")
			.withMessageContaining(this.name);
		assertThatIllegalArgumentException().isThrownBy(() -> lock.extend(Duration.ZERO, Duration.ZERO))
			.withMessageContaining("lockAtMostFor");
		lock.unlock();
		assertUnlocked(this.name);
	}

	@Test
	void aLockAtMostForLongerThanTheRestartGuardsHoldOutShouldBeKeptAliveWithShortTtls() {
		try (ConfigurableApplicationContext guarded = AppInstance.start(Config.class, redis.uris(),
				"redlock.restart-guard.enabled=true", "redlock.restart-guard.hold-out=2s", "redlock.lease-time=1s")) {
			LockProvider guardedProvider = guarded.getBean(LockProvider.class);
			SimpleLock lock = guardedProvider
				.lock(new LockConfiguration(Instant.now(), this.name, Duration.ofMinutes(10), Duration.ZERO))
				.orElseThrow();
			assertThat(maxLeaseLeft(this.name)).as("no node told more than the hold-out").isLessThanOrEqualTo(2000);
			await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).untilAsserted(() -> {
				assertLocked(this.name);
				assertThat(maxLeaseLeft(this.name)).isLessThanOrEqualTo(2000);
				assertThat(lock(this.name, Duration.ofMinutes(1), Duration.ZERO)).isEmpty();
			});
			lock.unlock();
			assertUnlocked(this.name);
		}
	}

	@Test
	void aLockAtLeastForLongerThanTheRestartGuardsHoldOutShouldBeKeptUntilItEndsAfterAnEarlyUnlock() {
		try (ConfigurableApplicationContext guarded = AppInstance.start(Config.class, redis.uris(),
				"redlock.restart-guard.enabled=true", "redlock.restart-guard.hold-out=2s", "redlock.lease-time=1s")) {
			LockProvider guardedProvider = guarded.getBean(LockProvider.class);
			long start = System.nanoTime();
			guardedProvider
				.lock(new LockConfiguration(Instant.now(), this.name, Duration.ofHours(1), Duration.ofSeconds(4)))
				.orElseThrow()
				.unlock();
			await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
				assertLocked(this.name);
				assertThat(maxLeaseLeft(this.name)).isLessThanOrEqualTo(2000);
				assertThat(lock(this.name, Duration.ofMinutes(1), Duration.ZERO)).isEmpty();
			});
			SimpleLock next = await().atMost(Duration.ofSeconds(5))
				.until(() -> lock(this.name, Duration.ofMinutes(1), Duration.ZERO), Optional::isPresent)
				.orElseThrow();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("taken again only after lockAtLeastFor")
				.isGreaterThan(Duration.ofMillis(3900));
			next.unlock();
		}
	}

	private static Optional<SimpleLock> lock(String name, Duration lockAtMostFor, Duration lockAtLeastFor) {
		return provider.lock(new LockConfiguration(Instant.now(), name, lockAtMostFor, lockAtLeastFor));
	}

	private static String key(String name) {
		return "redlock:shedlock:" + name;
	}

	private static void assertLocked(String name) {
		assertThat(redis.servers().keysOnMajority(key(name))).as("lock '%s' on a majority", name)
			.containsExactly(key(name));
	}

	private static void assertUnlocked(String name) {
		assertThat(redis.servers().keysOnMajority(key(name))).as("lock '%s' on a majority", name).isEmpty();
	}

	/** The median of the key's time to live over the nodes, in milliseconds: what a majority has at least. */
	private static long leaseLeftOnMajority(String name) {
		List<Long> left = new ArrayList<>();
		for (RedisServerProcess server : redis.servers().all()) {
			left.add((Long) server.call("PTTL", key(name)));
		}
		left.sort(null);
		return left.get(left.size() / 2);
	}

	/** The longest time to live of the key over the nodes, in milliseconds. */
	private static long maxLeaseLeft(String name) {
		long longest = -2;
		for (RedisServerProcess server : redis.servers().all()) {
			longest = Math.max(longest, (Long) server.call("PTTL", key(name)));
		}
		return longest;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ RedlockAutoConfiguration.class, RedlockShedLockAutoConfiguration.class })
	static class Config {

	}

}
