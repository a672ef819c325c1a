package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.LockHold;
import dev.redlock.test.LockHolds;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Renewal, lost locks, fencing tokens and hold-at-least, on five real Redis nodes.
 */
class LeaseSafetyTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private final List<Redlock> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine(Duration maxHoldTime, boolean interruptOnLoss, LockObserver... observers) {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(1), Duration.ZERO, Duration.ofMillis(2),
				Duration.ofMillis(5), Duration.ofMillis(150), 0.01, "test:", true, maxHoldTime, interruptOnLoss);
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 16));
		}
		Redlock.Builder builder = Redlock.builder(nodes, settings);
		for (LockObserver observer : observers) {
			builder.observer(observer);
		}
		Redlock engine = builder.build();
		this.engines.add(engine);
		engine.tryAcquire("warm-up", Duration.ofSeconds(1), Duration.ZERO).ifPresent(LockHandle::close);
		return engine;
	}

	private Redlock engine() {
		return engine(Duration.ofMinutes(1), false);
	}

	private static long nodesHolding(String key) {
		return redis.servers().all().stream().filter(RedisServerProcess::isRunning)
			.filter((server) -> server.call("GET", key) != null)
			.count();
	}

	@Test
	void callbackRunningThreeTimesTheLeaseShouldKeepTheLockAndFreeItAtTheEnd() {
		Redlock holder = engine();
		Redlock contender = engine();
		String result = new LockTemplate(holder).execute("job", Duration.ofSeconds(1), Duration.ZERO, (handle) -> {
			await().during(Duration.ofSeconds(3))
				.atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> contender.tryAcquire("job", Duration.ofSeconds(1), Duration.ZERO).isEmpty()
						&& handle.isValid());
			return "done";
		});
		assertThat(result).isEqualTo("done");
		await().atMost(Duration.ofSeconds(2)).until(() -> nodesHolding("test:job") == 0);
		assertThat(contender.tryAcquire("job", Duration.ofSeconds(1), Duration.ZERO)).isPresent();
	}

	@Test
	void renewalShouldStopAtTheMaximumHoldTimeAndLetTheLockExpire() {
		Redlock redlock = engine(Duration.ofMillis(1500), false);
		LockHandle handle = redlock.acquire("capped", Duration.ofSeconds(1), Duration.ZERO);
		long start = System.nanoTime();
		await().atMost(Duration.ofSeconds(5)).until(() -> nodesHolding("test:capped") == 0);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1200));
		assertThat(handle.isValid()).isFalse();
		handle.close();
	}

	@Test
	void renewalShouldStopWhenTheLockIsReleased() {
		Redlock redlock = engine();
		LockHandle handle = redlock.acquire("released", Duration.ofSeconds(1), Duration.ZERO);
		await().atMost(Duration.ofSeconds(2)).until(() -> nodesHolding("test:released") == 5);
		handle.close();
		await().atMost(Duration.ofSeconds(2)).until(() -> nodesHolding("test:released") == 0);
		// a renewal still scheduled must not bring the key back (PEXPIRE cannot create it) nor fail loudly
		await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
			.until(() -> nodesHolding("test:released") == 0 && redlock.heldLocks().isEmpty());
	}

	@Test
	void lockWithoutRenewalShouldExpireAfterItsLease() {
		Redlock redlock = engine();
		LockHandle handle = redlock.acquire(LockRequest.of("plain", Duration.ofSeconds(1), Duration.ZERO)
			.withAutoRenew(false));
		await().atMost(Duration.ofSeconds(3)).until(() -> nodesHolding("test:plain") == 0);
		assertThat(handle.isValid()).isFalse();
	}

	@Test
	void pausingAMajorityPastTheValidityShouldReportTheLockLost() throws Exception {
		List<HeldLock> lost = new CopyOnWriteArrayList<>();
		Redlock redlock = engine(Duration.ofMinutes(1), true, new LockObserver() {

			@Override
			public void lockLost(HeldLock lock) {
				lost.add(lock);
			}

		});
		AtomicBoolean interrupted = new AtomicBoolean();
		AtomicBoolean validAtStart = new AtomicBoolean();
		AtomicBoolean validAfterInterrupt = new AtomicBoolean(true);
		CountDownLatch never = new CountDownLatch(1);
		Thread holder = new Thread(() -> {
			try (LockHandle handle = redlock.acquire("fragile", Duration.ofSeconds(1), Duration.ZERO)) {
				validAtStart.set(handle.isValid());
				for (int i = 0; i < 3; i++) {
					redis.get(i).pause(Duration.ofMillis(2500));
				}
				// stands for long work that the loss interrupts
				try {
					never.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					interrupted.set(true);
				}
				validAfterInterrupt.set(handle.isValid());
			}
		});
		holder.start();
		holder.join(15_000);
		assertThat(holder.isAlive()).isFalse();
		assertThat(validAtStart).isTrue();
		assertThat(interrupted).as("holder interrupted on loss").isTrue();
		assertThat(validAfterInterrupt).as("handle valid after the loss").isFalse();
		assertThat(lost).singleElement().satisfies((lock) -> assertThat(lock.key()).isEqualTo("test:fragile"));
		assertThat(redlock.heldLocks()).isEmpty();
	}

	@Test
	void fencingTokensShouldStrictlyIncreaseAcrossContendedHoldersAlsoWhileANodeRestartsEmpty() throws Exception {
		List<Redlock> clients = List.of(engine(), engine(), engine(), engine());
		Queue<LockHold> holds = new ConcurrentLinkedQueue<>();
		AtomicInteger acquisitions = new AtomicInteger();
		int target = 1000;
		ExecutorService executor = Executors.newFixedThreadPool(8);
		List<Future<?>> workers = new ArrayList<>();
		for (int w = 0; w < 8; w++) {
			Redlock client = clients.get(w % clients.size());
			String owner = "worker-" + w;
			workers.add(executor.submit(() -> {
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
				for (int i = 0; acquisitions.get() < target && System.nanoTime() < deadline; i++) {
					LockRequest request = LockRequest.of("fenced", Duration.ofSeconds(2), Duration.ofSeconds(2))
						.withFencing(true);
					LockHold hold = new LockHold(owner + "-" + i, "fenced", List.of("test:fenced"), System.nanoTime(), 0);
					client.tryAcquire(request).ifPresent((handle) -> {
						try (handle) {
							long start = System.nanoTime();
							hold.granted(start, LockHold.deadline(start, () -> handle.remaining().toNanos()),
									handle.fencingToken().orElseThrow());
							// a millisecond of work, long enough for a second holder to show
							TimeUnit.MILLISECONDS.sleep(1);
							hold.ended(System.nanoTime());
							holds.add(hold);
							acquisitions.incrementAndGet();
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					});
				}
				return null;
			}));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> acquisitions.get() >= target / 2);
		redis.get(0).restart();
		executor.shutdown();
		for (Future<?> worker : workers) {
			worker.get(90, TimeUnit.SECONDS);
		}
		assertThat(holds).hasSizeGreaterThanOrEqualTo(target);
		assertThat(LockHolds.overlaps(List.copyOf(holds))).as("holds valid at the same time").isEmpty();
		assertThat(LockHolds.tokenOrderViolations(List.copyOf(holds))).as("tokens out of order").isEmpty();
		List<LockHold> ordered = new ArrayList<>(holds);
		ordered.sort(Comparator.comparingLong(LockHold::granted));
		for (int i = 1; i < ordered.size(); i++) {
			assertThat(ordered.get(i).token()).as("token of hold %d", i).isGreaterThan(ordered.get(i - 1).token());
		}
	}

	@Test
	void staleHoldersWriteShouldBeRejectedByTheFencedResource() {
		Redlock first = engine();
		Redlock second = engine();
		FencedLedger ledger = new FencedLedger();
		LockHandle stale = first.acquire(LockRequest.of("ledger", Duration.ofMillis(500), Duration.ZERO)
			.withAutoRenew(false)
			.withFencing(true));
		long staleToken = stale.fencingToken().orElseThrow();
		// the first holder stalls past its lease; the second takes the lock and writes
		try (LockHandle current = second.acquire(LockRequest.of("ledger", Duration.ofSeconds(5), Duration.ofSeconds(3))
			.withFencing(true))) {
			long token = current.fencingToken().orElseThrow();
			assertThat(token).isGreaterThan(staleToken);
			assertThat(ledger.write(token, "second")).isTrue();
			assertThat(stale.isValid()).isFalse();
			assertThat(ledger.write(staleToken, "first (stale)")).isFalse();
		}
		assertThat(ledger.entries()).containsExactly("second");
	}

	@Test
	void holdAtLeastShouldKeepTheKeyAfterAnEarlyRelease() {
		Redlock redlock = engine();
		Redlock contender = engine();
		LockHandle handle = redlock.acquire(LockRequest.of("nightly", Duration.ofSeconds(10), Duration.ZERO)
			.withHoldAtLeast(Duration.ofMillis(1500)));
		long start = System.nanoTime();
		handle.close();
		assertThat(handle.isValid()).isFalse();
		assertThat(nodesHolding("test:nightly")).isGreaterThanOrEqualTo(3);
		// close() waits for a quorum; the last node's shortening may still be on its way
		await().atMost(Duration.ofMillis(1000))
			.until(() -> redis.servers().all().stream()
				.allMatch((server) -> (Long) server.call("PTTL", "test:nightly") <= 1500L));
		assertThat(contender.tryAcquire("nightly", Duration.ofSeconds(10), Duration.ZERO)).isEmpty();
		await().atMost(Duration.ofSeconds(4)).until(() -> nodesHolding("test:nightly") == 0);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1000));
		assertThat(contender.tryAcquire("nightly", Duration.ofSeconds(10), Duration.ZERO)).isPresent();
	}

}
