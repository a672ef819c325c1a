package dev.redlock.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

import dev.redlock.AppInstance;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.autoconfigure.RedlockIntegrationAutoConfiguration;
import dev.redlock.core.Redlock;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The {@link Lock} contract of {@link RedlockLockRegistry}, with two application instances on 5
 * real nodes: reentrancy, owner-only unlock, interruption, {@code tryLock} timeouts, per-lock TTL,
 * renewal and unlocking an expired lock.
 */
class RedlockLockRegistryTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	private static RedlockLockRegistry registry;

	private static RedlockLockRegistry other;

	private final String key = "k-" + UUID.randomUUID();

	@BeforeAll
	static void startInstances() {
		first = AppInstance.start(Config.class, redis.uris(), "redlock.integration.expire-after=10s");
		second = AppInstance.start(Config.class, redis.uris(), "redlock.integration.expire-after=10s");
		registry = (RedlockLockRegistry) first.getBean(LockRegistry.class);
		other = (RedlockLockRegistry) second.getBean(LockRegistry.class);
	}

	@AfterAll
	static void stopInstances() {
		if (first != null) {
			first.close();
		}
		if (second != null) {
			second.close();
		}
	}

	@Test
	void theAutoConfiguredRegistryShouldUseTheProperties() {
		assertThat(registry.getExpireAfter()).isEqualTo(Duration.ofSeconds(10));
		assertThat(registry.getRegistryKey()).isEqualTo("integration");
	}

	@Test
	void obtainShouldGiveTheSameLockForAKeyAndRefuseOtherKeys() {
		assertThat(registry.obtain(this.key)).isSameAs(registry.obtain(this.key));
		assertThatIllegalArgumentException().isThrownBy(() -> registry.obtain(42)).withMessageContaining("String");
		assertThatIllegalArgumentException().isThrownBy(() -> registry.obtain(" ")).withMessageContaining("non-blank");
	}

	@Test
	void theHoldingThreadShouldReenterAndReleaseWithItsLastUnlock() throws Exception {
		Lock lock = registry.obtain(this.key);
		lock.lock();
		lock.lock();
		assertLocked();
		lock.unlock();
		assertLocked();
		assertThat(other.obtain(this.key).tryLock()).isFalse();
		lock.unlock();
		assertUnlocked();
		Lock theirs = other.obtain(this.key);
		assertThat(theirs.tryLock()).isTrue();
		theirs.unlock();
	}

	@Test
	void unlockByAThreadThatDoesNotHoldTheLockShouldThrowAndKeepIt() throws Exception {
		Lock lock = registry.obtain(this.key);
		assertThatExceptionOfType(IllegalMonitorStateException.class).isThrownBy(lock::unlock);
		lock.lock();
		try {
			CompletableFuture<Void> stranger = CompletableFuture.runAsync(lock::unlock);
			assertThat(stranger).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(IllegalMonitorStateException.class)
				.withMessageContaining(this.key);
			assertLocked();
		}
		finally {
			lock.unlock();
		}
	}

	@Test
	void tryLockShouldGiveUpAfterItsWaitWhileAnotherInstanceHoldsTheLock() throws Exception {
		Lock theirs = other.obtain(this.key);
		theirs.lock();
		try {
			long start = System.nanoTime();
			assertThat(registry.obtain(this.key).tryLock(300, TimeUnit.MILLISECONDS)).isFalse();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(registry.obtain(this.key).tryLock()).isFalse();
		}
		finally {
			theirs.unlock();
		}
	}

	@Test
	void tryLockShouldSucceedWhenTheOtherInstanceReleasesWithinTheWait() throws Exception {
		Lock theirs = other.obtain(this.key);
		theirs.lock();
		CountDownLatch waiting = new CountDownLatch(1);
		CompletableFuture<Boolean> mine = CompletableFuture.supplyAsync(() -> {
			waiting.countDown();
			try {
				boolean locked = registry.obtain(this.key).tryLock(10, TimeUnit.SECONDS);
				if (locked) {
					registry.obtain(this.key).unlock();
				}
				return locked;
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
		theirs.unlock();
		assertThat(mine).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(true);
	}

	@Test
	void threadsOfOneInstanceShouldWaitForEachOther() throws Exception {
		Lock lock = registry.obtain(this.key);
		lock.lock();
		try {
			CompletableFuture<Boolean> mine = CompletableFuture.supplyAsync(() -> {
				try {
					return lock.tryLock(200, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			});
			assertThat(mine).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(false);
		}
		finally {
			lock.unlock();
		}
	}

	@Test
	void lockInterruptiblyShouldStopWaitingWhenInterrupted() throws Exception {
		Lock theirs = other.obtain(this.key);
		theirs.lock();
		try {
			AtomicReference<Throwable> outcome = new AtomicReference<>();
			CountDownLatch started = new CountDownLatch(1);
			Thread waiter = new Thread(() -> {
				started.countDown();
				try {
					registry.obtain(this.key).lockInterruptibly();
					outcome.set(new AssertionError("acquired a held lock"));
				}
				catch (Throwable ex) {
					outcome.set(ex);
				}
			});
			waiter.start();
			assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
			await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() != Thread.State.RUNNABLE);
			waiter.interrupt();
			waiter.join(TimeUnit.SECONDS.toMillis(10));
			assertThat(waiter.isAlive()).isFalse();
			assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
			assertThat(registry.obtain(this.key).tryLock()).isFalse();
		}
		finally {
			theirs.unlock();
		}
	}

	@Test
	void lockShouldKeepWaitingWhenInterruptedAndRestoreTheFlag() throws Exception {
		Lock theirs = other.obtain(this.key);
		theirs.lock();
		AtomicBoolean interruptedAfterLock = new AtomicBoolean();
		CountDownLatch locked = new CountDownLatch(1);
		Thread waiter = new Thread(() -> {
			Lock lock = registry.obtain(this.key);
			lock.lock();
			interruptedAfterLock.set(Thread.currentThread().isInterrupted());
			locked.countDown();
			lock.unlock();
		});
		try {
			waiter.start();
			await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
			waiter.interrupt();
			assertThat(locked.await(300, TimeUnit.MILLISECONDS)).as("acquired while held").isFalse();
		}
		finally {
			theirs.unlock();
		}
		assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
		waiter.join(TimeUnit.SECONDS.toMillis(5));
		assertThat(interruptedAfterLock).isTrue();
	}

	@Test
	void theTtlOfALockShouldBeItsLease() throws Exception {
		DistributedLock lock = registry.obtain(this.key);
		lock.lock(Duration.ofSeconds(2));
		try {
			assertThat(leaseLeftOnMajority()).isPositive().isLessThanOrEqualTo(2000);
		}
		finally {
			lock.unlock();
		}
		assertThat(lock.tryLock(Duration.ZERO, Duration.ofSeconds(20))).isTrue();
		try {
			assertThat(leaseLeftOnMajority()).isGreaterThan(10_000).isLessThanOrEqualTo(20_000);
		}
		finally {
			lock.unlock();
		}
	}

	@Test
	void lockingAgainFromTheHoldingThreadShouldExtendTheLease() throws Exception {
		DistributedLock lock = registry.obtain(this.key);
		lock.lock(Duration.ofSeconds(2));
		try {
			assertThat(lock.tryLock(Duration.ZERO, Duration.ofSeconds(20))).isTrue();
			assertThat(leaseLeftOnMajority()).isGreaterThan(10_000);
			lock.unlock();
			assertLocked();
		}
		finally {
			lock.unlock();
		}
	}

	@Test
	void unlockingAnExpiredLockShouldThrowAndFreeTheLock() {
		DistributedLock lock = registry.obtain(this.key);
		lock.lock(Duration.ofMillis(300));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(this::assertUnlocked);
		Lock theirs = other.obtain(this.key);
		assertThat(theirs.tryLock()).isTrue();
		assertThatExceptionOfType(ConcurrentModificationException.class).isThrownBy(lock::unlock)
			.withMessageContaining("expired");
		assertThatExceptionOfType(IllegalMonitorStateException.class).isThrownBy(lock::unlock);
		assertLocked();
		theirs.unlock();
	}

	@Test
	void aHoldWhoseLeaseRanOutShouldBeTakenAnewByTheHoldingThread() throws Exception {
		DistributedLock lock = registry.obtain(this.key);
		lock.lock(Duration.ofMillis(300));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(this::assertUnlocked);
		assertThat(lock.tryLock(Duration.ZERO, Duration.ofSeconds(10))).isTrue();
		assertThat(leaseLeftOnMajority()).isGreaterThan(5000);
		lock.unlock();
		assertUnlocked();
		// the hold taken before the lease ran out is void
		assertThatExceptionOfType(IllegalMonitorStateException.class).isThrownBy(lock::unlock);
	}

	@Test
	void renewLockShouldSetANewLeaseForTheHolderOnly() throws Exception {
		DistributedLock lock = registry.obtain(this.key);
		assertThatIllegalStateException().isThrownBy(() -> registry.renewLock(this.key));
		lock.lock(Duration.ofSeconds(2));
		try {
			registry.renewLock(this.key, Duration.ofSeconds(20));
			assertThat(leaseLeftOnMajority()).isGreaterThan(10_000);
			registry.renewLock(this.key);
			assertThat(leaseLeftOnMajority()).isGreaterThan(10_000);
			CompletableFuture<Void> stranger = CompletableFuture.runAsync(() -> registry.renewLock(this.key));
			assertThat(stranger).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(IllegalStateException.class);
		}
		finally {
			lock.unlock();
		}
	}

	@Test
	void aRenewingRegistryShouldKeepTheLockPastItsTtl() throws Exception {
		RedlockLockRegistry renewing = new RedlockLockRegistry(first.getBean(Redlock.class), "integration",
				Duration.ofMillis(600));
		renewing.setRenewalTaskScheduler(new SimpleAsyncTaskScheduler());
		Lock lock = renewing.obtain(this.key);
		lock.lock();
		try {
			await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(4)).untilAsserted(() -> {
				assertLocked();
				assertThat(other.obtain(this.key).tryLock()).isFalse();
			});
		}
		finally {
			lock.unlock();
		}
		assertUnlocked();
	}

	@Test
	void conditionsShouldBeUnsupported() {
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> registry.obtain(this.key).newCondition());
	}

	@Test
	void threadsOfTwoInstancesShouldCountExactlyUnderExecuteLocked() throws Exception {
		int[] counter = new int[1];
		int threads = 6;
		int rounds = 15;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				LockRegistry<?> mine = (t % 2 == 0) ? registry : other;
				futures.add(pool.submit(() -> {
					for (int i = 0; i < rounds; i++) {
						mine.executeLocked(this.key, Duration.ofSeconds(20), () -> {
							int seen = counter[0];
							// a lost update shows if two holders overlap here
							LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
							counter[0] = seen + 1;
						});
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
		assertThat(counter[0]).isEqualTo(threads * rounds);
		assertUnlocked();
	}

	@Test
	void expireUnusedOlderThanShouldForgetOnlyUnlockedLocks() {
		Lock held = registry.obtain(this.key);
		Lock idle = registry.obtain(this.key + "-idle");
		held.lock();
		try {
			registry.expireUnusedOlderThan(0);
			assertThat(registry.obtain(this.key)).isSameAs(held);
			assertThat(registry.obtain(this.key + "-idle")).isNotSameAs(idle);
		}
		finally {
			held.unlock();
		}
	}

	@Test
	void aTimeToLiveAboveTheRestartGuardsHoldOutShouldWorkWithDefaultsAndTellNoNodeMoreThanTheHoldOut() {
		// the guard on with its default hold-out (the 30 s lease time); a 10-minute TTL is kept alive by the engine
		try (ConfigurableApplicationContext guarded = AppInstance.start(Config.class, redis.uris(),
				"redlock.restart-guard.enabled=true", "redlock.integration.expire-after=10m")) {
			Lock lock = guarded.getBean(LockRegistry.class).obtain(this.key);
			lock.lock();
			try {
				assertLocked();
				long longest = redis.servers().all().stream()
					.mapToLong((server) -> (Long) server.call("PTTL", redisKey()))
					.max()
					.orElseThrow();
				assertThat(longest).isPositive().isLessThanOrEqualTo(30_000);
				assertThat(other.obtain(this.key).tryLock()).as("held by the other instance").isFalse();
			}
			finally {
				lock.unlock();
			}
			assertUnlocked();
		}
	}

	private String redisKey() {
		return "redlock:integration:" + this.key;
	}

	private void assertLocked() {
		assertThat(redis.servers().keysOnMajority(redisKey())).containsExactly(redisKey());
	}

	private void assertUnlocked() {
		assertThat(redis.servers().keysOnMajority(redisKey())).isEmpty();
	}

	/** The median of the key's time to live over the nodes, in milliseconds. */
	private long leaseLeftOnMajority() {
		List<Long> left = new ArrayList<>();
		for (RedisServerProcess server : redis.servers().all()) {
			left.add((Long) server.call("PTTL", redisKey()));
		}
		left.sort(null);
		return left.get(left.size() / 2);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ RedlockAutoConfiguration.class, RedlockIntegrationAutoConfiguration.class })
	static class Config {

	}

}
