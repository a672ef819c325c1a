package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.NodeOutcome;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.DelayProxy;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node that is slow and has all its connections busy gets no new acquisitions: they count as
 * failed at once instead of parking a thread until the node timeout, the lock is taken on the
 * others, and no key is left on the slow node (an acquisition never sent needs no release; one
 * that was sent is still released after it answered). Three real nodes, the third behind a delay
 * proxy.
 */
class SaturatedNodeTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final ExecutorService threads = Executors.newFixedThreadPool(4);

	@AfterEach
	void close() throws Exception {
		this.threads.shutdownNow();
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void slowSaturatedNodeShouldBeSkippedWithoutLosingLocksOrLeavingKeys() throws Exception {
		DelayProxy proxy = DelayProxy.to(redis.get(2));
		this.resources.add(proxy);
		proxy.setDelay(Duration.ofMillis(150));
		Duration nodeTimeout = Duration.ofMillis(500);
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(30), Duration.ofSeconds(2),
				Duration.ofMillis(5), Duration.ofMillis(5), nodeTimeout, 0.01, "test:", false,
				RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
		List<LockNode> nodes = List.of(
				new JedisLockNode(RedisNodeAddress.parse("fast-0", redis.get(0).uri()), nodeTimeout, 8),
				new JedisLockNode(RedisNodeAddress.parse("fast-1", redis.get(1).uri()), nodeTimeout, 8),
				new JedisLockNode(RedisNodeAddress.parse("slow", proxy.uri()), nodeTimeout, 2));
		ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
		Redlock engine = Redlock.builder(nodes, settings).observer(new LockObserver() {
			@Override
			public void nodeFailed(NodeOutcome outcome) {
				failures.add(outcome.toString());
			}
		}).build();
		this.resources.add(engine);

		// lock distinct keys until the slow node has been spared a few times (bounded in count and time)
		AtomicInteger taken = new AtomicInteger();
		AtomicInteger attempted = new AtomicInteger();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			int thread = t;
			workers.add(this.threads.submit(() -> {
				for (int i = 0; i < 5_000 && System.nanoTime() < deadline
						&& failures.stream().filter((f) -> f.contains("saturated")).count() < 5; i++) {
					attempted.incrementAndGet();
					try (LockHandle handle = engine.acquire("k-" + thread + "-" + i, Duration.ofSeconds(30),
							Duration.ofSeconds(2))) {
						assertThat(handle.isValid()).isTrue();
						taken.incrementAndGet();
					}
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get(60, TimeUnit.SECONDS);
		}
		assertThat(taken.get()).as("every lock taken on the two fast nodes").isEqualTo(attempted.get());
		assertThat(failures).as("acquisitions the saturated slow node was spared")
			.anyMatch((failure) -> failure.contains("saturated"));
		// leases are 30 s: a key still there after a few seconds would be a release that never came
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.get(2).keys("test:k-*").isEmpty());
		assertThat(redis.get(0).keys("test:k-*")).isEmpty();
		assertThat(redis.get(1).keys("test:k-*")).isEmpty();
	}

}
