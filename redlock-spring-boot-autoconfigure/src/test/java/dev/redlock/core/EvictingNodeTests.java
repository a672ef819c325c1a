package dev.redlock.core;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.test.RedisServerProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose {@code maxmemory-policy} is changed on the running server ({@code CONFIG SET}) to
 * one that may evict lock keys is noticed by the engine's own probes within a few check
 * intervals: it is held out of the quorum with a warning that names it and the policy, unless
 * evicting nodes are allowed; set back to {@code noeviction}, it counts again after the hold-out
 * (it may have dropped locks while it evicted). On three real Redis nodes.
 */
@ExtendWith(OutputCaptureExtension.class)
class EvictingNodeTests {

	private static final Duration LEASE = Duration.ofSeconds(1);

	@Test
	void nodeThatStartsEvictingAtRuntimeShouldBeHeldOutUntilFixedAndTheHoldOutHasPassed(CapturedOutput output) {
		try (RedisServerProcess n0 = RedisServerProcess.start(); RedisServerProcess n1 = RedisServerProcess.start();
				RedisServerProcess n2 = RedisServerProcess.start();
				Redlock redlock = engine(List.of(n0, n1, n2), false)) {
			assertThat(takesLock(redlock)).as("node 0 counts while it does not evict").isTrue();

			n0.call("CONFIG", "SET", "maxmemory", "64mb");
			n0.call("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
			// the engine's own probes (every 200 ms) notice it; no probe by hand
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
				.until(() -> refusalOfNode0(redlock).contains("may evict lock keys (maxmemory-policy volatile-lru)"));
			assertThat(output.getAll()).contains("Redlock node 127.0.0.1:" + n0.port() + " may evict lock keys",
					"maxmemory-policy volatile-lru", "CONFIG SET maxmemory-policy noeviction");
			NodeStatus status = redlock.probe().get(0);
			assertThat(status.maxmemoryPolicy()).isEqualTo("volatile-lru");
			assertThat(status.maxmemory()).isEqualTo(64L * 1024 * 1024);
			assertThat(status.mayEvict()).isTrue();
			assertThat(status.problem()).contains("maxmemory-policy volatile-lru");

			n0.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
				.until(() -> refusalOfNode0(redlock).contains("evicted keys until recently"));
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> takesLock(redlock));
		}
	}

	@Test
	void evictingNodeShouldCountWithAWarningWhenAllowed(CapturedOutput output) {
		try (RedisServerProcess n0 = RedisServerProcess.start("--maxmemory", "64mb", "--maxmemory-policy",
				"allkeys-lru"); RedisServerProcess n1 = RedisServerProcess.start();
				RedisServerProcess n2 = RedisServerProcess.start();
				Redlock redlock = engine(List.of(n0, n1, n2), true)) {
			assertThat(takesLock(redlock)).as("an allowed evicting node counts").isTrue();
			assertThat(redlock.probe().get(0).mayEvict()).isTrue();
			assertThat(output.getAll()).contains("Redlock node 127.0.0.1:" + n0.port() + " may evict lock keys",
					"maxmemory-policy allkeys-lru", "redlock.allow-evicting-nodes=true");
		}
	}

	@Test
	void nodeConfiguredAsTheReadmeSaysShouldTellItDoesNotEvict(CapturedOutput output) {
		try (RedisServerProcess n0 = RedisServerProcess.start(); RedisServerProcess n1 = RedisServerProcess.start();
				Redlock redlock = engine(List.of(n0, n1), false)) {
			NodeStatus status = redlock.probe().get(0);
			assertThat(status.maxmemoryPolicy()).isEqualTo("noeviction");
			assertThat(status.mayEvict()).isFalse();
			assertThat(status.problem()).isEmpty();
			assertThat(output.getAll()).doesNotContain("may evict", "maxmemory-policy");
		}
	}

	private static Redlock engine(List<RedisServerProcess> servers, boolean allowEvicting) {
		return NodeUnderTest.engine(servers, LEASE, (builder) -> builder.allowEvictingNodes(allowEvicting));
	}

	private static boolean takesLock(Redlock redlock) {
		return NodeUnderTest.refusalOfNode0(redlock, LEASE).isEmpty();
	}

	private static String refusalOfNode0(Redlock redlock) {
		return NodeUnderTest.refusalOfNode0(redlock, LEASE);
	}

}
