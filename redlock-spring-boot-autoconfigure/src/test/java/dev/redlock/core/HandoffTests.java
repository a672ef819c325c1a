package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A released lock is handed over without waiting out the retry delay: threads of one engine queue
 * in the JVM and are woken by the engine's own release; an engine of another process hears the
 * release announced on the nodes (Pub/Sub). The retry delay here (a minute) is far longer than any
 * wait, so a waiter that had to poll would find the key only at its deadline. Three real nodes.
 */
class HandoffTests {

	private static final Duration LONG_RETRY_DELAY = Duration.ofMinutes(1);

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final List<Redlock> engines = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.threads.shutdownNow();
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine() {
		return engine(true);
	}

	private Redlock engine(boolean releaseNotifications) {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(10), Duration.ZERO, LONG_RETRY_DELAY,
				Duration.ZERO, Duration.ofMillis(300), 0.01, "test:");
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 16));
		}
		Redlock engine = Redlock.builder(nodes, settings).releaseNotifications(releaseNotifications).build();
		this.engines.add(engine);
		return engine;
	}

	@Test
	void waiterShouldGetTheKeyAsSoonAsAThreadOfTheSameEngineReleasesIt() throws Exception {
		Redlock engine = engine();
		LockHandle holder = engine.acquire("hot", Duration.ofSeconds(10), Duration.ZERO);
		CountDownLatch attempted = new CountDownLatch(1);
		Future<Long> waiter = this.threads.submit(() -> {
			attempted.countDown();
			try (LockHandle handle = engine.acquire("hot", Duration.ofSeconds(10), Duration.ofSeconds(20))) {
				return handle.remaining().toMillis();
			}
		});
		attempted.await();
		// the waiter's first attempt fails while the holder holds the key; then it waits
		await().atMost(Duration.ofSeconds(5)).until(() -> engine.waitingKeys() > 0);
		holder.close();
		assertThat(waiter.get(15, TimeUnit.SECONDS)).as("acquired long before a one-minute retry delay").isPositive();
		await().atMost(Duration.ofSeconds(5)).until(() -> engine.waitingKeys() == 0);
	}

	@Test
	void eightThreadsShouldEachTakeTheHotKeyInTurnWithoutPolling() throws Exception {
		Redlock engine = engine();
		int threads = 8;
		int rounds = 5;
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		List<Future<Integer>> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			workers.add(this.threads.submit(() -> {
				int taken = 0;
				for (int i = 0; i < rounds; i++) {
					try (LockHandle handle = engine.acquire("hot", Duration.ofSeconds(10), Duration.ofSeconds(30))) {
						if (inside.incrementAndGet() != 1 || !handle.isValid()) {
							overlaps.incrementAndGet();
						}
						inside.decrementAndGet();
						taken++;
					}
				}
				return taken;
			}));
		}
		for (Future<Integer> worker : workers) {
			assertThat(worker.get(60, TimeUnit.SECONDS)).isEqualTo(rounds);
		}
		assertThat(overlaps).hasValue(0);
		assertThat(engine.waitingKeys()).isZero();
	}

	@Test
	void waiterInAnotherProcessShouldHearTheReleaseThroughTheNodes() throws Exception {
		Redlock holderEngine = engine();
		Redlock waiterEngine = engine();
		LockHandle holder = holderEngine.acquire("hot", Duration.ofSeconds(10), Duration.ZERO);
		Future<Boolean> waiter = this.threads.submit(() -> {
			try (LockHandle handle = waiterEngine.acquire("hot", Duration.ofSeconds(10), Duration.ofSeconds(30))) {
				return handle.isValid();
			}
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> waiterEngine.releaseListeners() == 3);
		holder.close();
		assertThat(waiter.get(15, TimeUnit.SECONDS)).as("acquired long before its 30 s deadline").isTrue();
	}

	@Test
	void withoutReleaseNotificationsNothingShouldBeAnnouncedOrHeard() throws Exception {
		Redlock quiet = engine(false);
		LockHandle holder = quiet.acquire("hot", Duration.ofSeconds(10), Duration.ZERO);
		Future<Boolean> waiter = this.threads.submit(
				() -> quiet.tryAcquire("hot", Duration.ofSeconds(10), Duration.ofSeconds(2)).isPresent());
		await().atMost(Duration.ofSeconds(5)).until(() -> quiet.waitingKeys() > 0);
		assertThat(quiet.releaseListeners()).isZero();
		for (int i = 0; i < 3; i++) {
			List<?> numsub = (List<?>) redis.get(i).call("PUBSUB", "NUMSUB", "test:" + KeySpace.RELEASE_CHANNEL_SUFFIX);
			assertThat(((Number) numsub.get(1)).longValue()).isZero();
		}
		holder.close();
		assertThat(waiter.get(10, TimeUnit.SECONDS)).as("woken in the JVM all the same").isTrue();
	}

	@Test
	void threadQueuedBehindAnotherShouldStopWhenInterrupted() throws Exception {
		Redlock engine = engine();
		LockHandle holder = engine.acquire("hot", Duration.ofSeconds(10), Duration.ZERO);
		Future<?> first = this.threads.submit(() -> engine.tryAcquire("hot", Duration.ofSeconds(10), Duration.ofSeconds(30)));
		await().atMost(Duration.ofSeconds(5)).until(() -> engine.waitingKeys() > 0);
		AtomicInteger interruptedFlag = new AtomicInteger();
		Thread queued = new Thread(() -> {
			try {
				engine.acquire(LockRequest.of("hot", Duration.ofSeconds(10), Duration.ofSeconds(30)));
			}
			catch (LockNotAcquiredException ex) {
				if (Thread.currentThread().isInterrupted() && ex.getMessage().contains("interrupted")) {
					interruptedFlag.set(1);
				}
			}
		});
		queued.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> queued.getState() == Thread.State.WAITING
				|| queued.getState() == Thread.State.TIMED_WAITING);
		queued.interrupt();
		queued.join(5000);
		assertThat(interruptedFlag).hasValue(1);
		holder.close();
		assertThat(first).succeedsWithin(Duration.ofSeconds(10));
	}

}
