package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.LockHold;
import dev.redlock.test.LockHolds;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The engine on five real {@code redis-server} processes.
 */
class RedlockIntegrationTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private final List<Redlock> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine(RedlockSettings settings) {
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 8));
		}
		Redlock engine = new Redlock(nodes, settings);
		this.engines.add(engine);
		// open one connection per node, so that no test measures a cold client
		engine.tryAcquire("warm-up", Duration.ofSeconds(10), Duration.ZERO).ifPresent(LockHandle::close);
		return engine;
	}

	private static RedlockSettings settings(Duration nodeTimeout, double driftFactor) {
		return new RedlockSettings(Duration.ofSeconds(10), Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(10),
				nodeTimeout, driftFactor, "test:");
	}

	private Redlock engine() {
		return engine(settings(Duration.ofMillis(200), 0.01));
	}

	private static List<String> allLockKeys() {
		List<String> keys = new ArrayList<>();
		for (RedisServerProcess server : redis.servers().all()) {
			if (server.isRunning()) {
				keys.addAll(server.keys("test:*"));
			}
		}
		return keys;
	}

	@Test
	void acquireShouldSetTheKeyOnEveryNodeAndCloseShouldDeleteIt() {
		Redlock redlock = engine();
		LockHandle handle = redlock.acquire("order-1", Duration.ofSeconds(10), Duration.ZERO);
		assertThat(handle.key()).isEqualTo("test:order-1");
		assertThat(handle.isValid()).isTrue();
		assertThat(handle.remaining()).isGreaterThan(Duration.ofSeconds(9)).isLessThanOrEqualTo(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			for (RedisServerProcess server : redis.servers().all()) {
				assertThat(server.call("GET", "test:order-1")).isInstanceOf(String.class);
				assertThat((Long) server.call("PTTL", "test:order-1")).isBetween(8_000L, 10_000L);
			}
		});
		handle.close();
		assertThat(handle.isValid()).isFalse();
		assertThat(handle.remaining()).isEqualTo(Duration.ZERO);
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	@Test
	void secondOwnerShouldBeRefusedWhileTheFirstHoldsTheLock() {
		Redlock first = engine();
		Redlock second = engine();
		try (LockHandle held = first.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			// the handle is granted at quorum; let the slower nodes' SETs land before the contender comes
			await().atMost(Duration.ofSeconds(5)).until(() -> allLockKeys().size() == 5);
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> second.acquire("k", Duration.ofSeconds(10), Duration.ofMillis(100)))
				.satisfies((ex) -> {
					assertThat(ex.getKey()).isEqualTo("test:k");
					assertThat(ex.getAttempts()).isGreaterThan(1);
					assertThat(ex.getNodeOutcomes()).extracting(NodeOutcome::status)
						.containsOnly(Status.HELD_BY_OTHER);
					assertThat(ex.getMessage()).contains("test:k", "0 of 5 nodes agreed", "quorum is 3",
							redis.get(0).port() + "=HELD_BY_OTHER");
				});
			assertThat(held.isValid()).isTrue();
		}
		second.acquire("k", Duration.ofSeconds(10), Duration.ZERO).close();
	}

	@Test
	void failedAttemptShouldReleaseOnlyWhereTheNodeMayHaveSetTheKey() {
		Redlock redlock = engine();
		// another owner holds the key on nodes 0-2: the attempt gets nodes 3 and 4 only
		for (int i = 0; i < 3; i++) {
			redis.get(i).call("SET", "test:contended", "someone-else", "PX", "10000");
		}
		// the warm-up's release returns once a majority let go: its last deletes must be done first
		await().atMost(Duration.ofSeconds(2)).until(() -> redlock.nodes().stream()
			.allMatch((node) -> ((JedisLockNode) node).connectionsInUse() == 0));
		redis.servers().all().forEach((server) -> server.call("CONFIG", "RESETSTAT"));
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> redlock.acquire("contended", Duration.ofSeconds(10), Duration.ZERO));
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().size() == 3);
		for (int i = 0; i < 5; i++) {
			String stats = String.valueOf(redis.get(i).call("INFO", "commandstats"));
			if (i < 3) {
				assertThat(stats).as("node %d refused: nothing to release there", i).doesNotContain("cmdstat_evalsha");
				assertThat(redis.get(i).call("GET", "test:contended")).isEqualTo("someone-else");
			}
			else {
				assertThat(stats).as("node %d set the key: released", i).contains("cmdstat_evalsha:calls=1,");
			}
		}
	}

	@Test
	void attemptAfterASplitVoteShouldNotBeBlockedByAStaleKeyOnTheFirstNode() {
		Redlock redlock = engine();
		// node 0 keeps a stale key for 10 s; nodes 1 and 2 are held briefly, so the first attempts
		// split the votes (3 and 4 grant) and the next ones ask node 0 first, which refuses
		redis.get(0).call("SET", "test:stale", "crashed-owner", "PX", "10000");
		redis.get(1).call("SET", "test:stale", "other", "PX", "300");
		redis.get(2).call("SET", "test:stale", "other", "PX", "300");
		long start = System.nanoTime();
		try (LockHandle handle = redlock.acquire("stale", Duration.ofSeconds(10), Duration.ofSeconds(3))) {
			assertThat(handle.isValid()).isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("taken once nodes 1 and 2 were free")
				.isGreaterThanOrEqualTo(Duration.ofMillis(250))
				.isLessThan(Duration.ofSeconds(2));
			assertThat(redis.get(0).call("GET", "test:stale")).isEqualTo("crashed-owner");
		}
	}

	@Test
	void waitingOwnerShouldGetTheLockOnceItIsReleased() throws Exception {
		Redlock first = engine();
		Redlock second = engine(new RedlockSettings(Duration.ofSeconds(10), Duration.ofSeconds(10),
				Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMillis(200), 0.01, "test:"));
		LockHandle held = first.acquire("k", Duration.ofSeconds(10), Duration.ZERO);
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			CountDownLatch started = new CountDownLatch(1);
			Future<LockHandle> waiting = executor.submit(() -> {
				started.countDown();
				return second.acquire("k", Duration.ofSeconds(10), Duration.ofSeconds(10));
			});
			started.await();
			assertThat(waiting.isDone()).isFalse();
			held.close();
			try (LockHandle acquired = waiting.get(10, TimeUnit.SECONDS)) {
				assertThat(acquired.isValid()).isTrue();
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void independentClientsShouldNeverHoldTheSameKeyAtOnce() throws Exception {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(10), Duration.ofSeconds(20),
				Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(500), 0.01, "test:");
		List<Redlock> clients = List.of(engine(settings), engine(settings), engine(settings), engine(settings));
		Queue<LockHold> holds = new ConcurrentLinkedQueue<>();
		int threadsPerClient = 3;
		int holdsPerThread = 15;
		int[] unsafeCounter = { 0 };
		ExecutorService executor = Executors.newFixedThreadPool(clients.size() * threadsPerClient);
		List<Future<?>> workers = new ArrayList<>();
		for (int c = 0; c < clients.size(); c++) {
			Redlock client = clients.get(c);
			for (int t = 0; t < threadsPerClient; t++) {
				String owner = "client" + c + "-thread" + t;
				workers.add(executor.submit(() -> {
					for (int i = 0; i < holdsPerThread; i++) {
						LockHold hold = new LockHold(owner + "-" + i, "plain", List.of("test:shared"), System.nanoTime(), 0);
						try (LockHandle handle = client.acquire("shared", Duration.ofSeconds(10), Duration.ofSeconds(20))) {
							long start = System.nanoTime();
							hold.granted(start, LockHold.deadline(start, () -> handle.remaining().toNanos()), -1);
							int seen = unsafeCounter[0];
							// a millisecond between read and write: a second holder would lose an update
							TimeUnit.MILLISECONDS.sleep(1);
							unsafeCounter[0] = seen + 1;
							hold.ended(System.nanoTime());
						}
						holds.add(hold);
					}
					return null;
				}));
			}
		}
		executor.shutdown();
		for (Future<?> worker : workers) {
			worker.get(120, TimeUnit.SECONDS);
		}
		int total = clients.size() * threadsPerClient * holdsPerThread;
		assertThat(holds).hasSize(total);
		assertThat(LockHolds.overlaps(List.copyOf(holds))).isEmpty();
		assertThat(unsafeCounter[0]).isEqualTo(total);
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	@Test
	void acquireWhenTwoOfFiveNodesAreDownShouldSucceed() {
		redis.get(1).kill();
		redis.get(3).kill();
		Redlock redlock = engine();
		try (LockHandle handle = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			assertThat(handle.isValid()).isTrue();
			// granted on a quorum: node 0's copy may still be on its way
			await().atMost(Duration.ofSeconds(2)).until(() -> redis.get(0).call("GET", "test:k") != null);
		}
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	@Test
	void acquireWhenThreeOfFiveNodesAreDownShouldFailAndLeaveNoKey() {
		redis.get(0).kill();
		redis.get(2).kill();
		redis.get(4).kill();
		Redlock redlock = engine();
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> redlock.acquire("k", Duration.ofSeconds(10), Duration.ofMillis(200)))
			.satisfies((ex) -> {
				assertThat(ex.getAcquiredNodes()).isEqualTo(2);
				assertThat(ex.getNodeOutcomes()).extracting(NodeOutcome::status)
					.containsExactly(Status.FAILED, Status.ACQUIRED, Status.FAILED, Status.ACQUIRED, Status.FAILED);
				assertThat(ex.getNodeOutcomes().get(0).detail()).isNotEmpty();
				assertThat(ex.getMessage()).contains("2 of 5 nodes agreed", "quorum is 3", "FAILED");
			});
		// the failed attempt returns before its rollback has reached every node that granted
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(redis.get(1).keys("*")).isEmpty();
			assertThat(redis.get(3).keys("*")).isEmpty();
		});
	}

	@Test
	void pausedNodeShouldNotDelayAcquisitionBeyondTheNodeTimeout() {
		Redlock redlock = engine(settings(Duration.ofMillis(300), 0.01));
		redis.get(2).pause(Duration.ofSeconds(3));
		long start = System.nanoTime();
		try (LockHandle handle = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
			assertThat(handle.isValid()).isTrue();
			assertThat(elapsedMillis).as("acquisition time with one node asleep for 3s").isLessThan(1500);
		}
	}

	@Test
	void quorumWaitingOnPausedNodesShouldBeDecidedByTheNodeTimeout() {
		Redlock redlock = engine(settings(Duration.ofMillis(300), 0.01));
		redis.get(0).kill();
		redis.get(1).pause(Duration.ofSeconds(4));
		redis.get(2).pause(Duration.ofSeconds(4));
		long start = System.nanoTime();
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> redlock.acquire("k", Duration.ofSeconds(2), Duration.ZERO))
			.satisfies((ex) -> assertThat(ex.getNodeOutcomes()).extracting(NodeOutcome::status)
				.containsExactly(Status.FAILED, Status.TIMED_OUT, Status.TIMED_OUT, Status.ACQUIRED, Status.ACQUIRED));
		long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
		assertThat(elapsedMillis).as("decision with two nodes asleep for 4s").isLessThan(3000);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(redis.get(3).keys("test:k")).isEmpty();
			assertThat(redis.get(4).keys("test:k")).isEmpty();
		});
		// a sleeping node may still run the queued SET when it wakes: the 2s lease bounds that key's life
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(allLockKeys()).isEmpty());
	}

	@Test
	void handleShouldNotReleaseAnotherOwnersLock() {
		Redlock first = engine();
		Redlock second = engine();
		LockHandle stale = first.acquire(LockRequest.of("k", Duration.ofMillis(300), Duration.ZERO).withAutoRenew(false));
		await().atMost(Duration.ofSeconds(5)).until(() -> allLockKeys().isEmpty());
		assertThat(stale.isValid()).isFalse();
		try (LockHandle current = second.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> allLockKeys().size() == 5);
			stale.close();
			assertThat(stale.extend(Duration.ofSeconds(10))).isFalse();
			for (RedisServerProcess server : redis.servers().all()) {
				assertThat(server.call("GET", "test:k")).as("key on %s", server).isNotNull();
			}
			assertThat(current.isValid()).isTrue();
		}
	}

	@Test
	void acquisitionWhoseValidityIsUsedUpShouldFailAndRelease() {
		// drift of 10s × 0.9999 + 2ms exceeds the 10s lease: no attempt can have validity left
		Redlock redlock = engine(settings(Duration.ofMillis(200), 0.9999));
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO))
			.withMessageContaining("validity used up")
			.satisfies((ex) -> assertThat(ex.getAcquiredNodes()).isEqualTo(5));
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	@Test
	void extendShouldSetANewLeaseOnEveryNode() {
		Redlock redlock = engine();
		try (LockHandle handle = redlock.acquire("k", Duration.ofSeconds(2), Duration.ZERO)) {
			assertThat(handle.extend(Duration.ofSeconds(20))).isTrue();
			assertThat(handle.remaining()).isGreaterThan(Duration.ofSeconds(15));
			long extended = redis.servers().all().stream()
				.filter((server) -> (Long) server.call("PTTL", "test:k") > 15_000L)
				.count();
			assertThat(extended).as("nodes with the new lease").isGreaterThanOrEqualTo(3);
		}
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	@Test
	void extendBelowRedisResolutionShouldBeRejectedAndKeepTheLock() {
		Redlock redlock = engine();
		try (LockHandle handle = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			assertThatExceptionOfType(InvalidSettingException.class)
				.isThrownBy(() -> handle.extend(Duration.ofNanos(500_000)));
			assertThat(handle.isValid()).isTrue();
			await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().size() == 5);
		}
	}

	@Test
	void failedExtendShouldNotLeaveTheHandleBelievingTheOldLongerValidity() {
		Redlock redlock = engine();
		try (LockHandle handle = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			// 2ms of lease minus the 2ms fixed drift leaves no validity: the extension fails, yet the
			// nodes did shorten the key, so the handle must not keep its 10s
			assertThat(handle.extend(Duration.ofMillis(2))).isFalse();
			assertThat(handle.isValid()).isFalse();
		}
	}

	@Test
	void keyNamingAFencingCounterShouldBeRejected() {
		Redlock redlock = engine();
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> redlock.acquire("order:fencing", Duration.ofSeconds(10), Duration.ZERO))
			.withMessageContaining("fencing counters");
	}

	@Test
	void closingTheEngineShouldReleaseItsLocks() {
		Redlock redlock = engine();
		redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO);
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().size() == 5);
		redlock.close();
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	/**
	 * A holder releasing its lock while the engine closes (a leader thread told to stop, its
	 * application closing at the same time): closing waits for that release rather than stopping
	 * the threads and connections it is sent on, so the lock is gone at once, not left for its
	 * lease. The observer makes the release take a moment to be sent, as a release queued behind
	 * an extension in flight does.
	 */
	@Test
	void closingWhileAHolderReleasesShouldWaitForThatRelease() throws Exception {
		CountDownLatch releasing = new CountDownLatch(1);
		LockObserver slowToSend = new LockObserver() {
			@Override
			public void release(HeldLock lock, Runnable release) {
				releasing.countDown();
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
				release.run();
			}
		};
		RedlockSettings settings = settings(Duration.ofMillis(200), 0.01);
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 8));
		}
		Redlock redlock = Redlock.builder(nodes, settings).observer(slowToSend).build();
		this.engines.add(redlock);
		LockHandle handle = redlock.acquire("k", Duration.ofSeconds(30), Duration.ZERO);
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().size() == 5);
		Thread holder = new Thread(handle::close, "holder");
		holder.start();
		assertThat(releasing.await(2, TimeUnit.SECONDS)).isTrue();
		redlock.close();
		holder.join(TimeUnit.SECONDS.toMillis(5));
		// released on a quorum at least before closing went on; the other nodes' answers may be on their way
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	@Test
	void extendWithoutQuorumShouldFailAndKeepTheOldValidity() {
		Redlock redlock = engine();
		try (LockHandle handle = redlock.acquire("k", Duration.ofSeconds(5), Duration.ZERO)) {
			redis.get(0).kill();
			redis.get(1).kill();
			redis.get(2).flushAll();
			Duration before = handle.remaining();
			assertThat(handle.extend(Duration.ofSeconds(60))).isFalse();
			assertThat(handle.remaining()).isLessThanOrEqualTo(before);
			assertThat(handle.isValid()).isTrue();
		}
	}

	@Test
	void releaseShouldFallBackToEvalWhenTheNodeForgotTheScript() {
		Redlock redlock = engine();
		redlock.acquire("warm-up", Duration.ofSeconds(10), Duration.ZERO).close();
		LockHandle handle = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO);
		redis.servers().all().forEach((server) -> server.call("SCRIPT", "FLUSH"));
		handle.close();
		await().atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().isEmpty());
	}

	@Test
	void closeShouldReleaseOnlyOnce() {
		Redlock redlock = engine();
		LockHandle handle = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO);
		handle.close();
		LockHandle next = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO);
		handle.close();
		assertThat(next.isValid()).isTrue();
		// the second close deletes nothing: the next owner keeps its quorum
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> allLockKeys().size() >= 3);
		next.close();
	}

	@Test
	void interruptedWaiterShouldGiveUpAndKeepItsInterruptFlag() throws Exception {
		Redlock first = engine();
		Redlock second = engine();
		AtomicInteger interruptedAfter = new AtomicInteger();
		try (LockHandle held = first.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			Thread waiter = new Thread(() -> {
				try {
					second.acquire("k", Duration.ofSeconds(10), Duration.ofSeconds(30));
				}
				catch (LockNotAcquiredException ex) {
					if (Thread.currentThread().isInterrupted() && ex.getCause() instanceof InterruptedException) {
						interruptedAfter.set(ex.getAttempts());
					}
				}
			});
			waiter.start();
			await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
			waiter.interrupt();
			waiter.join(5000);
			assertThat(waiter.isAlive()).isFalse();
			assertThat(interruptedAfter.get()).isPositive();
			assertThat(held.isValid()).isTrue();
		}
	}

	@Test
	void nodesWithDifferentStateShouldReportEachNodesReason() {
		Redlock other = engine();
		Redlock redlock = engine();
		redis.get(4).kill();
		try (LockHandle held = other.acquire("k", Duration.ofSeconds(10), Duration.ZERO)) {
			await().atMost(Duration.ofSeconds(5)).until(() -> allLockKeys().size() == 4);
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO))
				.satisfies((ex) -> {
					assertThat(ex.getNodeOutcomes()).extracting(NodeOutcome::status)
						.containsExactly(Status.HELD_BY_OTHER, Status.HELD_BY_OTHER, Status.HELD_BY_OTHER,
								Status.HELD_BY_OTHER, Status.FAILED);
					assertThat(ex.getNodeOutcomes()).extracting(NodeOutcome::node)
						.containsExactlyElementsOf(redis.uris().stream().map((u) -> u.substring("redis://".length())).toList());
				});
		}
	}

}
