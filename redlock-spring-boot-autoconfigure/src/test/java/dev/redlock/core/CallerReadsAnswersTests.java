package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.DelayProxy;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With standalone nodes, the locking thread sends each command to every node and reads the
 * answers itself as they come (no thread hand-off per node), and a node that turns slow is left to
 * an I/O thread after a short patience instead of holding up the lock. Real nodes, some behind
 * delay proxies.
 */
class CallerReadsAnswersTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final AtomicInteger readByCaller = new AtomicInteger();

	private final AtomicInteger readElsewhere = new AtomicInteger();

	private volatile Thread caller;

	/** Acquisition calls in the order they were made. */
	private final ConcurrentLinkedQueue<Call> acquisitions = new ConcurrentLinkedQueue<>();

	private final List<JedisLockNode> jedisNodes = new ArrayList<>();

	private record Call(String token, int node, boolean started) {
	}

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void lockingThreadShouldReadTheAnswersOfFastNodes() {
		Redlock engine = engine(redis.uris());
		lockTimes(engine, 20);
		this.readByCaller.set(0);
		this.readElsewhere.set(0);
		lockTimes(engine, 50);
		// 50 locks: 100 rounds (acquire, release) of 5 answers; at least a quorum of each is read
		// by the locking thread, except when the machine stalls
		assertThat(this.readByCaller.get()).as("answers read by the locking thread (%d elsewhere)",
				this.readElsewhere.get()).isGreaterThan(100 * 3 / 2);
	}

	@Test
	void favouriteNodeTurningSlowShouldNotHoldUpLocks() {
		// three nodes behind proxies: the first answers fastest, so the locking thread waits on it first
		List<DelayProxy> proxies = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			DelayProxy proxy = DelayProxy.to(redis.get(i));
			this.resources.add(proxy);
			proxies.add(proxy);
		}
		proxies.get(1).setDelay(Duration.ofMillis(2));
		proxies.get(2).setDelay(Duration.ofMillis(2));
		Redlock engine = engine(proxies.stream().map(DelayProxy::uri).toList());
		lockTimes(engine, 20);
		proxies.get(0).setDelay(Duration.ofMillis(200));
		long slowest = lockTimes(engine, 10);
		assertThat(Duration.ofNanos(slowest)).as("slowest lock + unlock with the favourite node 400 ms behind")
			.isLessThan(Duration.ofMillis(300));
		proxies.get(0).setDelay(Duration.ZERO);
		// the slow node's acquisitions were released once they had answered
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			for (int i = 0; i < 3; i++) {
				assertThat(redis.get(i).keys("test:caller:*")).as("keys on node %d", i).isEmpty();
			}
		});
	}

	@Test
	void attemptAfterASplitVoteShouldAskTheFirstNodeAloneFirst() {
		Redlock engine = engine(redis.uris());
		lockTimes(engine, 5);
		// nodes 2-4 held for a moment by another owner: attempts split the votes until they expire
		for (int i = 2; i < 5; i++) {
			redis.get(i).call("SET", "test:split", "other", "PX", "200");
		}
		// the last releases may still run on I/O threads: an attempt finds idle connections only after them
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.jedisNodes.stream().allMatch((node) -> node.connectionsInUse() == 0));
		this.acquisitions.clear();
		engine.acquire("split", Duration.ofSeconds(30), Duration.ofSeconds(3)).close();
		Map<String, List<Call>> byAttempt = new LinkedHashMap<>();
		for (Call call : this.acquisitions) {
			byAttempt.computeIfAbsent(call.token(), (token) -> new ArrayList<>()).add(call);
		}
		List<List<Call>> attempts = new ArrayList<>(byAttempt.values());
		assertThat(attempts).as("attempts until the keys expired").hasSizeGreaterThan(1);
		assertThat(attempts.get(0)).as("the first attempt sends to every node at once")
			.allMatch(Call::started)
			.hasSize(5);
		for (List<Call> attempt : attempts.subList(1, attempts.size())) {
			assertThat(attempt.get(0)).as("after a split vote, the first node is asked alone, and first")
				.isEqualTo(new Call(attempt.get(0).token(), 0, false));
			assertThat(attempt.subList(1, attempt.size())).extracting(Call::node).doesNotContain(0);
		}
	}

	/** Locks and unlocks a key {@code count} times; returns the longest lock + unlock. */
	private long lockTimes(Redlock engine, int count) {
		this.caller = Thread.currentThread();
		long slowest = 0;
		for (int i = 0; i < count; i++) {
			long start = System.nanoTime();
			Optional<LockHandle> handle = engine.tryAcquire("caller:" + i, Duration.ofSeconds(30), Duration.ZERO);
			assertThat(handle).as("lock %d", i).isPresent();
			handle.get().close();
			slowest = Math.max(slowest, System.nanoTime() - start);
		}
		return slowest;
	}

	private Redlock engine(List<String> uris) {
		Duration nodeTimeout = Duration.ofSeconds(1);
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(30), Duration.ZERO, Duration.ofMillis(5),
				Duration.ofMillis(5), nodeTimeout, 0.01, "test:", false, RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
		List<LockNode> nodes = new ArrayList<>();
		for (int i = 0; i < uris.size(); i++) {
			JedisLockNode node = new JedisLockNode(RedisNodeAddress.parse("node-" + i, uris.get(i)), nodeTimeout, 8);
			this.jedisNodes.add(node);
			nodes.add(new Recording(i, node));
		}
		Redlock engine = Redlock.builder(nodes, settings).build();
		this.resources.add(engine);
		return engine;
	}

	/** A real node whose started calls count on which thread their answer was read. */
	private final class Recording implements LockNode, NodeExchange, AnnouncingNode {

		private final int index;

		private final LockNode node;

		Recording(int index, LockNode node) {
			this.index = index;
			this.node = node;
		}

		@Override
		public String name() {
			return this.node.name();
		}

		@Override
		public int maxConcurrentCalls() {
			return this.node.maxConcurrentCalls();
		}

		@Override
		public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			CallerReadsAnswersTests.this.acquisitions.add(new Call(token, this.index, false));
			return this.node.tryAcquire(keys, token, ttlMillis);
		}

		@Override
		public boolean release(List<String> keys, String token) {
			return this.node.release(keys, token);
		}

		@Override
		public boolean releaseHeld(List<String> keys, String token, String channel) {
			return this.node.capability(AnnouncingNode.class).orElseThrow().releaseHeld(keys, token, channel);
		}

		@Override
		public Subscription listenForReleases(String channel, java.util.function.Consumer<String> listener) {
			return this.node.capability(AnnouncingNode.class).orElseThrow().listenForReleases(channel, listener);
		}

		@Override
		public <T> Optional<T> capability(Class<T> type) {
			if (type == NodeExchange.class || type == AnnouncingNode.class) {
				return this.node.capability(type).map((found) -> type.cast(this));
			}
			return this.node.capability(type);
		}

		@Override
		public boolean extend(List<String> keys, String token, long ttlMillis) {
			return this.node.extend(keys, token, ttlMillis);
		}

		@Override
		public Exchange startTryAcquire(String key, String token, long ttlMillis) {
			CallerReadsAnswersTests.this.acquisitions.add(new Call(token, this.index, true));
			return recorded(this.node.capability(NodeExchange.class).orElseThrow().startTryAcquire(key, token, ttlMillis));
		}

		@Override
		public Exchange startReleaseHeld(String key, String token, String channel) {
			return recorded(this.node.capability(NodeExchange.class).orElseThrow().startReleaseHeld(key, token, channel));
		}

		private Exchange recorded(Exchange exchange) {
			if (exchange == null) {
				return null;
			}
			return new Exchange() {

				@Override
				public boolean isAnswered() {
					return exchange.isAnswered();
				}

				@Override
				public boolean awaitAnswer(long timeoutNanos) {
					return exchange.awaitAnswer(timeoutNanos);
				}

				@Override
				public boolean finish() {
					boolean onCaller = Thread.currentThread() == CallerReadsAnswersTests.this.caller;
					(onCaller ? CallerReadsAnswersTests.this.readByCaller : CallerReadsAnswersTests.this.readElsewhere)
						.incrementAndGet();
					return exchange.finish();
				}

			};
		}

		@Override
		public void close() {
			this.node.close();
		}

	}

}
