package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An engine listens for announced releases only while it has threads waiting to retry, and an
 * idle spell after: it subscribes on every node when a thread first waits, once however many wait,
 * stops after {@link ReleaseNotifications#IDLE_SPELL} without waiters, and so does not hear its own
 * releases while nobody waits. Three real nodes; the retry delay (a minute) is far longer than any
 * wait here, so a waiter that is not woken by a release finds the key only at its deadline.
 */
class ReleaseListeningTests {

	private static final Duration LONG_RETRY_DELAY = Duration.ofMinutes(1);

	private static final String CHANNEL = "test:" + KeySpace.RELEASE_CHANNEL_SUFFIX;

	/** The idle spell and a generous margin for a loaded machine. */
	private static final Duration IDLE_STOP_BOUND = ReleaseNotifications.IDLE_SPELL.plusSeconds(20);

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final List<Redlock> engines = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	/** Release announcements the engines' listeners received. */
	private final AtomicLong heard = new AtomicLong();

	@AfterEach
	void close() {
		this.threads.shutdownNow();
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine() {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(10), Duration.ZERO, LONG_RETRY_DELAY,
				Duration.ZERO, Duration.ofMillis(300), 0.01, "test:");
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new CountingNode(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 16),
					this.heard));
		}
		Redlock engine = Redlock.builder(nodes, settings).build();
		this.engines.add(engine);
		return engine;
	}

	/** How many clients each node counts as subscribed to the release channel. */
	private static List<Long> subscribers() {
		List<Long> counts = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			List<?> numsub = (List<?>) redis.get(i).call("PUBSUB", "NUMSUB", CHANNEL);
			counts.add(((Number) numsub.get(1)).longValue());
		}
		return counts;
	}

	/** Lets {@code waiter} wait for a key {@code holder} holds, then hands it over. */
	private void waitOnce(Redlock holder, Redlock waiter, String key) throws Exception {
		LockHandle held = holder.acquire(key, Duration.ofSeconds(10), Duration.ZERO);
		Future<Boolean> waiting = this.threads.submit(() -> {
			try (LockHandle handle = waiter.acquire(key, Duration.ofSeconds(10), Duration.ofSeconds(30))) {
				return handle.isValid();
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> waiter.releaseListeners() == 3);
		held.close();
		assertThat(waiting.get(20, TimeUnit.SECONDS)).as("woken by the release, long before the retry delay").isTrue();
	}

	@Test
	void manyWaitersShouldShareOneSubscriptionPerNodeThatEndsAnIdleSpellAfterTheLast() throws Exception {
		Redlock holder = engine();
		Redlock waiter = engine();
		waiter.acquire("free", Duration.ofSeconds(10), Duration.ofSeconds(5)).close();
		assertThat(subscribers()).as("locking without waiting listens nowhere").containsOnly(0L);
		List<LockHandle> held = new ArrayList<>();
		for (int k = 0; k < 4; k++) {
			held.add(holder.acquire("hot-" + k, Duration.ofSeconds(10), Duration.ZERO));
		}
		List<Future<Boolean>> waiting = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			String key = "hot-" + (t % 4);
			waiting.add(this.threads.submit(() -> {
				try (LockHandle handle = waiter.acquire(key, Duration.ofSeconds(10), Duration.ofSeconds(40))) {
					return handle.isValid();
				}
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> waiter.releaseListeners() == 3);
		assertThat(subscribers()).as("one subscription per node however many threads wait").containsOnly(1L);
		held.forEach(LockHandle::close);
		for (Future<Boolean> thread : waiting) {
			assertThat(thread.get(30, TimeUnit.SECONDS)).as("woken by the other engine's release").isTrue();
		}
		assertThat(subscribers()).as("still listening during the idle spell").containsOnly(1L);
		await().atMost(IDLE_STOP_BOUND).until(() -> subscribers().equals(List.of(0L, 0L, 0L)));
		assertThat(waiter.releaseListeners()).isZero();
	}

	@Test
	void waiterArrivingAfterListeningStoppedShouldListenAgainAndBeWokenByAnotherEnginesRelease() throws Exception {
		Redlock holder = engine();
		Redlock waiter = engine();
		waitOnce(holder, waiter, "hot");
		await().atMost(IDLE_STOP_BOUND).until(() -> subscribers().equals(List.of(0L, 0L, 0L)));
		// waitOnce asserts that the new waiter subscribes again and is woken by the release
		waitOnce(holder, waiter, "hot");
		assertThat(subscribers()).containsOnly(1L);
	}

	@Test
	void engineThatLocksWithoutWaitingShouldHearNoneOfItsOwnReleases() throws Exception {
		Redlock other = engine();
		Redlock engine = engine();
		waitOnce(other, engine, "hot");
		await().atMost(IDLE_STOP_BOUND).until(() -> subscribers().equals(List.of(0L, 0L, 0L)));
		this.heard.set(0);
		int locks = 1_000;
		for (int i = 0; i < locks; i++) {
			engine.acquire("key-" + (i % 16), Duration.ofSeconds(10), Duration.ofSeconds(5)).close();
		}
		assertThat(this.heard.get()).as("release announcements heard in %d uncontended lock + unlock", locks).isZero();
	}

	@Test
	void closingTheEngineShouldStopListeningAtOnce() throws Exception {
		Redlock holder = engine();
		Redlock waiter = engine();
		waitOnce(holder, waiter, "hot");
		waiter.close();
		// well within the idle spell
		await().atMost(Duration.ofSeconds(3)).until(() -> subscribers().equals(List.of(0L, 0L, 0L)));
	}

	/** A Jedis node whose release listener counts the announcements it receives. */
	private record CountingNode(JedisLockNode node, AtomicLong heard) implements LockNode {

		@Override
		public String name() {
			return this.node.name();
		}

		@Override
		public int maxConcurrentCalls() {
			return this.node.maxConcurrentCalls();
		}

		@Override
		public boolean needsHashTags() {
			return this.node.needsHashTags();
		}

		@Override
		public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			return this.node.tryAcquire(keys, token, ttlMillis);
		}

		@Override
		public boolean release(List<String> keys, String token) {
			return this.node.release(keys, token);
		}

		@Override
		public boolean extend(List<String> keys, String token, long ttlMillis) {
			return this.node.extend(keys, token, ttlMillis);
		}

		@Override
		public <T> Optional<T> capability(Class<T> type) {
			Optional<T> offered = this.node.capability(type);
			if (type != AnnouncingNode.class || offered.isEmpty()) {
				return offered;
			}
			AnnouncingNode announcing = (AnnouncingNode) offered.get();
			return Optional.of(type.cast(new AnnouncingNode() {

				@Override
				public boolean releaseHeld(List<String> keys, String token, String channel) {
					return announcing.releaseHeld(keys, token, channel);
				}

				@Override
				public Subscription listenForReleases(String channel, Consumer<String> listener) {
					return announcing.listenForReleases(channel, (key) -> {
						CountingNode.this.heard.incrementAndGet();
						listener.accept(key);
					});
				}

			}));
		}

		@Override
		public NodeStatus probe(String canaryKey) {
			return this.node.probe(canaryKey);
		}

		@Override
		public void close() {
			this.node.close();
		}

	}

}
