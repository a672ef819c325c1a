package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.LockHold;
import dev.redlock.test.LockHolds;
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
	void clusterMemberShouldNotBeArmed() {
		try (JedisLockNode node = new JedisLockNode(RedisNodeAddress.parse("member", cluster.uri()),
				Duration.ofMillis(500), 1)) {
			assertThat(node.capability(ArmableNode.class))
				.as("a marker lives in one slot and cannot vouch for every shard").isEmpty();
		}
		Redlock redlock = engine(List.of(cluster.uri()), Duration.ofSeconds(2));
		// counts once the run-id check lets it (its shards' uptime passed the hold-out), never armed
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
			.until(() -> redlock.probe().get(0).lockable());
		NodeStatus status = redlock.probe().get(0);
		assertThat(status.armed()).as("not armed at all").isNull();
		assertThat(status.problem()).isEmpty();
		try (LockHandle handle = redlock.acquire("unarmed", Duration.ofSeconds(2), Duration.ZERO)) {
			assertThat(handle.isValid()).isTrue();
		}
		assertThat(clusterKeys()).as("no arming marker on any shard").noneMatch((key) -> key.contains(KeySpace.ARMED_MARKER));
	}

	@Test
	void sentinelFailoverShouldHoldTheMemberOutLikeARestart() {
		try (RedisSentinelGroup sentinel = RedisSentinelGroup.start()) {
			Duration holdOut = Duration.ofSeconds(3);
			Redlock redlock = engine(List.of(sentinel.uri(), standalone.get(0).uri(), standalone.get(1).uri()), holdOut);
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
				.until(() -> redlock.probe().stream().allMatch((status) -> status.lockable() && status.problem().isEmpty()));
			String runId = redlock.probe().get(0).runId();
			// as in production, the replica has been up for longer than the hold-out when it is promoted
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
				.until(() -> uptimeSeconds(sentinel.replica()) > holdOut.toSeconds() + 1);
			RedisServerProcess promoted = sentinel.failover();
			// the promoted replica has another run id: held out as a restarted node would be
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
				.until(() -> !Objects.equals(redlock.probe().get(0).runId(), runId));
			NodeStatus heldOut = redlock.probe().get(0);
			assertThat(heldOut.topology()).contains("127.0.0.1:" + promoted.port());
			assertThat(heldOut.lockable()).as("held out after the failover: %s", heldOut).isFalse();
			assertThat(heldOut.problem()).contains("held out of the quorum");
			// the two standalone masters are a quorum: the lock is taken without the held-out member
			try (LockHandle handle = redlock.acquire(LockRequest.of("order", Duration.ofSeconds(2), Duration.ZERO)
				.withAutoRenew(false))) {
				assertThat(handle.isValid()).isTrue();
				assertThat(promoted.keys("*order*")).as("nothing sent to the held-out member").isEmpty();
			}
			await().atMost(holdOut.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
				.until(() -> redlock.probe().get(0).lockable());
		}
	}

	private static long uptimeSeconds(RedisServerProcess server) {
		String info = (String) server.call("INFO", "server");
		for (String line : info.split("\r?\n")) {
			if (line.startsWith("uptime_in_seconds:")) {
				return Long.parseLong(line.substring("uptime_in_seconds:".length()).trim());
			}
		}
		throw new IllegalStateException("INFO server without uptime_in_seconds: " + info);
	}

	@Test
	void sentinelMemberShouldFollowAFailoverWithoutBreakingMutualExclusion() throws Exception {
		try (RedisSentinelGroup sentinel = RedisSentinelGroup.start()) {
			List<String> members = List.of(sentinel.uri(), standalone.get(0).uri(), standalone.get(1).uri());
			List<Redlock> clients = List.of(engine(members, Duration.ofSeconds(2)), engine(members, Duration.ofSeconds(2)),
					engine(members, Duration.ofSeconds(2)), engine(members, Duration.ofSeconds(2)));
			NodeStatus status = clients.get(0).probe().get(0);
			assertThat(status.topology()).contains("Sentinel master 'mymaster' at 127.0.0.1:" + sentinel.master().port());
			Queue<LockHold> holds = new ConcurrentLinkedQueue<>();
			AtomicBoolean running = new AtomicBoolean(true);
			ExecutorService executor = Executors.newFixedThreadPool(8);
			List<Future<?>> workers = new ArrayList<>();
			for (int w = 0; w < 8; w++) {
				Redlock client = clients.get(w % clients.size());
				String owner = "worker-" + w;
				workers.add(executor.submit(() -> {
					long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
					for (int i = 0; running.get() && System.nanoTime() < deadline; i++) {
						LockHold hold = new LockHold(owner + "-" + i, "plain", List.of("redlock:payment"),
								System.nanoTime(), 0);
						client.tryAcquire(LockRequest.of("payment", Duration.ofSeconds(2), Duration.ofMillis(200))
							.withAutoRenew(false)).ifPresent((handle) -> {
								try (handle) {
									long start = System.nanoTime();
									hold.granted(start, LockHold.deadline(start, () -> handle.remaining().toNanos()), -1);
									// a few milliseconds of work, long enough for a second holder to show
									TimeUnit.MILLISECONDS.sleep(2);
									hold.ended(System.nanoTime());
									holds.add(hold);
								}
								catch (InterruptedException ex) {
									Thread.currentThread().interrupt();
								}
							});
					}
					return null;
				}));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> holds.size() > 20);
			int beforeFailover = holds.size();
			RedisServerProcess promoted = sentinel.failover();
			await().atMost(Duration.ofSeconds(20)).until(() -> holds.size() > beforeFailover + 20);
			running.set(false);
			executor.shutdown();
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
			assertThat(LockHolds.overlaps(List.copyOf(holds))).as("mutual exclusion violations").isEmpty();
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(clients.get(0).probe().get(0).topology())
					.contains("127.0.0.1:" + promoted.port()));
		}
	}

}
