package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.core.jedis.RedisNodeAddress;
import dev.redlock.test.RedisClusterGroup;
import dev.redlock.test.RedisSentinelGroup;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Sentinel-monitored masters and a Redis Cluster as quorum members, mixed with standalone
 * masters, on real processes started by the fixture.
 */
class TopologyTests {

	private static RedisClusterGroup cluster;

	private static RedisServers standalone;

	private final List<Redlock> engines = new ArrayList<>();

	@BeforeAll
	static void start() {
		cluster = RedisClusterGroup.start(3);
		standalone = RedisServers.start(2);
	}

	@AfterAll
	static void stop() {
		cluster.close();
		standalone.close();
	}

	@BeforeEach
	void clean() {
		cluster.flushAll();
		standalone.reset();
	}

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine(List<String> uris, Duration holdOut) {
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : uris) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("member", uri), Duration.ofMillis(300), 8));
		}
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(2), Duration.ZERO, Duration.ofMillis(5),
				Duration.ofMillis(10), Duration.ofMillis(300), 0.01, "redlock:");
		Redlock.Builder builder = Redlock.builder(nodes, settings);
		if (holdOut != null) {
			builder.restartGuard(holdOut, Duration.ofMillis(100));
		}
		Redlock engine = builder.build();
		this.engines.add(engine);
		return engine;
	}

	private static List<String> clusterKeys() {
		List<String> keys = new ArrayList<>();
		for (RedisServerProcess master : cluster.servers().all()) {
			keys.addAll(master.keys("redlock:*"));
		}
		return keys;
	}

	@Test
	void locksOnAClusterMemberShouldSpreadOverItsShards() {
		Redlock redlock = engine(List.of(cluster.uri(), standalone.get(0).uri(), standalone.get(1).uri()), null);
		List<LockHandle> held = new ArrayList<>();
		for (int i = 0; i < 60; i++) {
			held.add(redlock.acquire("order-" + i, Duration.ofSeconds(10), Duration.ZERO));
		}
		assertThat(held.get(0).key()).isEqualTo("redlock:{order-0}");
		await().atMost(Duration.ofSeconds(5)).until(() -> clusterKeys().size() == 60);
		for (RedisServerProcess master : cluster.servers().all()) {
			assertThat(master.keys("redlock:*")).as("keys on shard %s", master).hasSizeGreaterThan(5);
		}
		held.forEach(LockHandle::close);
		await().atMost(Duration.ofSeconds(2)).until(() -> clusterKeys().isEmpty());
		await().atMost(Duration.ofSeconds(2)).until(() -> standalone.get(0).keys("*").isEmpty());
	}

	@Test
	void clusterMemberAloneShouldLockFenceAndExclude() {
		Redlock first = engine(List.of(cluster.uri()), null);
		Redlock second = engine(List.of(cluster.uri()), null);
		LockRequest request = LockRequest.of("ledger", Duration.ofSeconds(10), Duration.ZERO).withFencing(true);
		long token;
		try (LockHandle handle = first.acquire(request)) {
			token = handle.fencingToken().orElseThrow();
			assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(() -> second.acquire(request));
			assertThat(handle.extend(Duration.ofSeconds(10))).isTrue();
		}
		try (LockHandle handle = second.acquire(request)) {
			assertThat(handle.fencingToken().orElseThrow()).isGreaterThan(token);
		}
	}

	@Test
	void multiKeyLockOnAClusterShouldTakeEverySlotOrNone() {
		Redlock redlock = engine(List.of(cluster.uri()), null);
		Redlock other = engine(List.of(cluster.uri()), null);
		List<String> keys = List.of("a", "b", "c", "d", "e", "f");
		try (LockHandle all = redlock.acquire(LockRequest.of(keys, Duration.ofSeconds(10), Duration.ZERO))) {
			assertThat(clusterKeys()).hasSize(6);
			assertThat(cluster.servers().all()).filteredOn((master) -> !master.keys("redlock:*").isEmpty())
				.as("slots on several shards")
				.hasSizeGreaterThan(1);
			assertThat(all.extend(Duration.ofSeconds(10))).isTrue();
		}
		await().atMost(Duration.ofSeconds(2)).until(() -> clusterKeys().isEmpty());
		try (LockHandle held = other.acquire("d", Duration.ofSeconds(10), Duration.ZERO)) {
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> redlock.acquire(LockRequest.of(keys, Duration.ofSeconds(10), Duration.ZERO)));
			assertThat(clusterKeys()).as("only the other owner's key").containsExactly("redlock:{d}");
		}
	}

	@Test
	void replicaAcknowledgementShouldBeRequiredWhenAsked() {
		try (RedisSentinelGroup sentinel = RedisSentinelGroup.start()) {
			// WAIT gets half the node timeout: room for a replica on a busy machine
			RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(5), Duration.ZERO, Duration.ofMillis(5),
					Duration.ofMillis(10), Duration.ofMillis(1000), 0.01, "redlock:");
			Redlock redlock = new Redlock(List.of(new JedisLockNode(RedisNodeAddress.parse("m", sentinel.uri()),
					settings.nodeTimeout(), 4, null, 1)), settings);
			this.engines.add(redlock);
			// right after the group is up, the master may not count its replica for WAIT yet
			LockHandle acknowledged = await().atMost(Duration.ofSeconds(10))
				.ignoreExceptionsInstanceOf(LockNotAcquiredException.class)
				.until(() -> redlock.acquire("acked", Duration.ofSeconds(5), Duration.ZERO), Objects::nonNull);
			try (LockHandle handle = acknowledged) {
				assertThat(sentinel.replica().call("GET", "redlock:acked")).as("on the replica once acknowledged")
					.isNotNull();
			}
			sentinel.replica().kill();
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> redlock.acquire("acked", Duration.ofSeconds(5), Duration.ZERO))
				.satisfies((ex) -> assertThat(ex.getNodeOutcomes().get(0).detail())
					.contains("0 of 1 replicas acknowledged"));
			assertThat(sentinel.master().keys("redlock:*")).as("an unacknowledged lock is taken back").isEmpty();
		}
	}

	@Test
	void sentinelMemberShouldFollowAFailoverWithoutBreakingMutualExclusion() throws Exception {
		try (RedisSentinelGroup sentinel = RedisSentinelGroup.start()) {
			List<String> members = List.of(sentinel.uri(), standalone.get(0).uri(), standalone.get(1).uri());
			List<Redlock> clients = List.of(engine(members, Duration.ofSeconds(2)), engine(members, Duration.ofSeconds(2)),
					engine(members, Duration.ofSeconds(2)), engine(members, Duration.ofSeconds(2)));
			NodeStatus status = clients.get(0).probe().get(0);
			assertThat(status.topology()).contains("Sentinel master 'mymaster' at 127.0.0.1:" + sentinel.master().port());
			LockHistory history = new LockHistory();
			AtomicBoolean running = new AtomicBoolean(true);
			ExecutorService executor = Executors.newFixedThreadPool(8);
			List<Future<?>> workers = new ArrayList<>();
			for (int w = 0; w < 8; w++) {
				Redlock client = clients.get(w % clients.size());
				String owner = "worker-" + w;
				workers.add(executor.submit(() -> {
					long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
					while (running.get() && System.nanoTime() < deadline) {
						client.tryAcquire(LockRequest.of("payment", Duration.ofSeconds(2), Duration.ofMillis(200))
							.withAutoRenew(false)).ifPresent((handle) -> {
								long start = System.nanoTime();
								Thread.yield();
								long end = System.nanoTime();
								boolean valid = handle.isValid();
								handle.close();
								history.record(handle.key(), owner, start, end, valid);
							});
					}
					return null;
				}));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> history.size() > 20);
			int beforeFailover = history.size();
			RedisServerProcess promoted = sentinel.failover();
			await().atMost(Duration.ofSeconds(20)).until(() -> history.size() > beforeFailover + 20);
			running.set(false);
			executor.shutdown();
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
			List<LockHistory.Hold> valid = history.holds().stream().filter(LockHistory.Hold::validAtEnd).toList();
			LockHistory checked = new LockHistory();
			valid.forEach((hold) -> checked.record(hold.key(), hold.owner(), hold.start(), hold.end(), true));
			assertThat(checked.overlaps()).as("mutual exclusion violations").isEmpty();
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(clients.get(0).probe().get(0).topology())
					.contains("127.0.0.1:" + promoted.port()));
		}
	}

}
