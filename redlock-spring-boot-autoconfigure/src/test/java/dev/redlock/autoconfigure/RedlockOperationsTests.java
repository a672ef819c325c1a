package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;
import dev.redlock.NodeOutcome;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Health, metrics, startup checks and the restart guard, on three real Redis nodes.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedlockOperationsTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class, RedlockHealthAutoConfiguration.class,
				RedlockMetricsAutoConfiguration.class))
		.withPropertyValues("redlock.node-timeout=300ms", "redlock.wait-time=0s");

	private ApplicationContextRunner withNodes() {
		return this.runner.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()),
				"redlock.restart-guard.enabled=false");
	}

	private ApplicationContextRunner withMeters() {
		return withNodes().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				ObservationAutoConfiguration.class));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, Object>> nodeDetails(Health health) {
		return (Map<String, Map<String, Object>>) health.getDetails().get("nodes");
	}

	@Test
	void healthShouldFollowTheQuorumAsNodesDieAndComeBack() {
		withNodes().run((context) -> {
			RedlockHealthIndicator indicator = context.getBean(RedlockHealthIndicator.class);
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("quorum", 2).containsEntry("usableNodes", 3);
			Map<String, Object> first = nodeDetails(health).get("127.0.0.1:" + redis.get(0).port());
			assertThat(first).containsEntry("status", "UP")
				.containsEntry("canaryLock", "set and deleted")
				.containsEntry("role", "master")
				.containsEntry("version", redis.get(0).version())
				.containsKeys("roundTripMillis", "uptimeSeconds");

			redis.get(0).kill();
			health = indicator.health();
			assertThat(health.getStatus()).as("one of three down").isEqualTo(Status.UP);
			assertThat(nodeDetails(health).get("127.0.0.1:" + redis.get(0).port())).containsEntry("status", "DOWN")
				.containsKey("problem");

			redis.get(1).kill();
			health = indicator.health();
			assertThat(health.getStatus()).as("two of three down").isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("usableNodes", 1)
				.containsEntry("reason", "a lock needs 2 usable nodes, 1 of 3 are usable");

			redis.get(0).restart();
			redis.get(1).restart();
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			assertThat(redis.get(0).keys("*")).as("canary keys left behind").isEmpty();
		});
	}

	@Test
	void pausedNodeShouldNotStallHealth() {
		withNodes().run((context) -> {
			RedlockHealthIndicator indicator = context.getBean(RedlockHealthIndicator.class);
			indicator.health();
			redis.get(2).pause(Duration.ofSeconds(5));
			long start = System.nanoTime();
			Health health = indicator.health();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(nodeDetails(health).get("127.0.0.1:" + redis.get(2).port())).containsEntry("status", "DOWN");
		});
	}

	@Test
	void replicaShouldBeDownInHealthAndFailStartup() {
		try (RedisServerProcess master = RedisServerProcess.start();
				RedisServerProcess replica = RedisServerProcess.start("--replicaof", RedisServerProcess.HOST,
						Integer.toString(master.port()))) {
			List<JedisLockNode> nodes = List.of(node(master.uri()), node(replica.uri()));
			try (Redlock redlock = new Redlock(nodes, RedlockSettings.defaults())) {
				Health health = new RedlockHealthIndicator(redlock).health();
				assertThat(nodeDetails(health).get("127.0.0.1:" + replica.port()))
					.containsEntry("status", "DOWN")
					.containsEntry("role", "slave")
					.containsEntry("problem", "the node is a replica; a Redlock node must be an independent master");
			}
			this.runner.withPropertyValues("redlock.nodes=" + master.uri() + "," + replica.uri())
				.run((context) -> assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(RedlockConfigurationException.class)
					.hasMessageContaining("redlock.nodes[1]")
					.hasMessageContaining("is a replica (role slave)"));
		}
	}

	@Test
	void twoEntriesReachingTheSameServerShouldFailStartup() {
		String server = redis.uris().get(0);
		this.runner.withPropertyValues("redlock.nodes=" + server + "/0," + redis.uris().get(1) + "," + server + "/1")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(RedlockConfigurationException.class)
				.hasMessageContaining("redlock.nodes[2]")
				.hasMessageContaining("is the same Redis server as redlock.nodes[0]"));
	}

	@Test
	void unreachableMinorityShouldWarnButStart(CapturedOutput output) {
		redis.get(2).kill();
		withNodes().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("Redlock node 127.0.0.1:" + redis.get(2).port() + " (redlock.nodes[2]) is unreachable at startup");
			context.getBean(LockTemplate.class).execute("k", (handle) -> handle.key());
		});
	}

	@Test
	void restartedNodeShouldBeHeldOutOfTheQuorumForTheHoldOutTime() {
		this.runner
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()), "redlock.restart-guard.hold-out=3s", "redlock.lease-time=2s",
					"redlock.restart-guard.check-interval=100ms")
			.run((context) -> {
				LockTemplate template = context.getBean(LockTemplate.class);
				RedlockHealthIndicator health = context.getBean(RedlockHealthIndicator.class);
				// fresh servers count at once; a server another test restarted may still be held out
				await().atMost(Duration.ofSeconds(10))
					.until(() -> health.health().getDetails().get("usableNodes").equals(3));
				redis.get(1).kill();
				redis.get(0).restart();
				String restarted = "127.0.0.1:" + redis.get(0).port();
				await().atMost(Duration.ofSeconds(2))
					.untilAsserted(() -> assertThat(nodeDetails(health.health()).get(restarted))
						.containsEntry("status", "DOWN")
						.hasEntrySatisfying("problem", (problem) -> assertThat(problem.toString())
							.contains("restarted empty after an earlier incarnation was armed")
							.contains("held out of the quorum until it has been up for 3s")));
				assertThatExceptionOfType(LockNotAcquiredException.class)
					.isThrownBy(() -> template.execute("k", (handle) -> handle.key()))
					.satisfies((ex) -> {
						NodeOutcome outcome = ex.getNodeOutcomes().get(0);
						assertThat(outcome.status()).isEqualTo(NodeOutcome.Status.FAILED);
						assertThat(outcome.detail()).contains("held out of the quorum");
					});
				assertThat(redis.get(0).keys("redlock:k")).as("no SET sent to a held-out node").isEmpty();
				await().atMost(Duration.ofSeconds(10)).ignoreException(LockNotAcquiredException.class).untilAsserted(() -> {
					String key = template.execute("k", LockHandle::key);
					assertThat(key).isEqualTo("redlock:k");
				});
			});
	}

	@Test
	void metersShouldCountAcquisitionsReleasesHoldsAndNodeFailures() {
		withMeters().run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			template.execute("order:1", (handle) -> {
				assertThat(meters.get("redlock.locks.held").gauge().value()).isEqualTo(1.0);
				return null;
			});
			assertThat(meters.get("redlock.locks.held").gauge().value()).isZero();
			assertThat(meters.get("redlock.acquire").tags("lock", "order", "outcome", "acquired").timer().count())
				.isEqualTo(1);
			assertThat(meters.get("redlock.release").tags("lock", "order").timer().count()).isEqualTo(1);
			assertThat(meters.get("redlock.hold").tags("lock", "order").timer().count()).isEqualTo(1);

			try (LockHandle held = template.tryAcquire("order:2", Duration.ofSeconds(10), Duration.ZERO).orElseThrow()) {
				assertThatExceptionOfType(LockNotAcquiredException.class)
					.isThrownBy(() -> template.execute("order:2", (handle) -> null));
			}
			assertThat(meters.get("redlock.acquire").tags("lock", "order", "outcome", "not_acquired").timer().count())
				.isEqualTo(1);

			// a release returns once a majority let go; the last deletes must be done before the kill
			await().atMost(Duration.ofSeconds(2)).until(() -> context.getBean(Redlock.class).nodes().stream()
				.allMatch((each) -> ((JedisLockNode) each).connectionsInUse() == 0));
			redis.get(1).kill();
			template.execute("order:3", (handle) -> null);
			String node = "127.0.0.1:" + redis.get(1).port();
			await().atMost(Duration.ofSeconds(2))
				// the dead node fails the acquisition's SET and the release's script
				.untilAsserted(() -> assertThat(
						meters.get("redlock.node.failures").tags("node", node, "status", "failed").counter().count())
					.isEqualTo(2));
			assertThat(meters.find("redlock.node.failures").counters()).allSatisfy(
					(counter) -> assertThat(counter.getId().getTag("node")).doesNotContain("@"));
		});
	}

	@Test
	void metersShouldTagErrorsAndTimeoutsAndCountLostLocks() {
		withMeters().run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			// bad input that only the acquisition finds: an error, not a refusal
			LockRequest fencedPair = LockRequest.of(List.of("order:a", "order:b"), Duration.ofSeconds(5), Duration.ZERO)
				.withFencing(true);
			assertThatIllegalArgumentException().isThrownBy(() -> template.execute(fencedPair, (handle) -> null));
			assertThat(meters.get("redlock.acquire").tags("lock", "order", "outcome", "error").timer().count())
				.isEqualTo(1);

			// two of three nodes frozen past the node timeout: their calls time out
			redis.get(1).pause(Duration.ofSeconds(1));
			redis.get(2).pause(Duration.ofSeconds(1));
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> template.execute("order:frozen", (handle) -> null));
			await().atMost(Duration.ofSeconds(5)).until(() -> "PONG".equals(redis.get(1).call("PING"))
					&& "PONG".equals(redis.get(2).call("PING")));
			for (int i = 1; i <= 2; i++) {
				String node = "127.0.0.1:" + redis.get(i).port();
				// a call that timed out is counted once it ends
				await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(meters.find("redlock.node.failures")
					.tags("node", node, "status", "timed_out").counters()).as("timeouts of %s", node).isNotEmpty());
			}

			// a renewed lock whose majority freezes past its validity is lost
			template.execute(LockRequest.of("order:fragile", Duration.ofSeconds(1), Duration.ZERO), (handle) -> {
				redis.get(1).pause(Duration.ofMillis(2500));
				redis.get(2).pause(Duration.ofMillis(2500));
				await().atMost(Duration.ofSeconds(5)).until(() -> !handle.isValid());
				return null;
			});
			assertThat(meters.get("redlock.locks.lost").tags("lock", "order").counter().count()).isEqualTo(1);
			await().atMost(Duration.ofSeconds(5)).until(() -> "PONG".equals(redis.get(1).call("PING"))
					&& "PONG".equals(redis.get(2).call("PING")));
		});
	}

	private static JedisLockNode node(String uri) {
		return new JedisLockNode(RedisNodeAddress.parse("node", uri), Duration.ofMillis(300), 4);
	}

}
