package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServerProcess;

import static org.awaitility.Awaitility.await;

/**
 * An engine with the restart guard on real servers, probing every 200 ms, and a lock whose key
 * another owner holds on node 1, so that taking it needs node 0: whether node 0 counts shows in
 * whether the lock is taken, and why not in node 0's outcome.
 */
final class NodeUnderTest {

	static final String KEY = "needs-n0";

	private NodeUnderTest() {
	}

	static Redlock engine(List<RedisServerProcess> servers, Duration lease, UnaryOperator<Redlock.Builder> options) {
		RedlockSettings settings = new RedlockSettings(lease, Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(5),
				Duration.ofMillis(200), 0.01, "test:");
		List<LockNode> nodes = new ArrayList<>();
		for (RedisServerProcess server : servers) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", server.uri()), settings.nodeTimeout(), 4));
		}
		Redlock redlock = options.apply(Redlock.builder(nodes, settings).restartGuard(lease, Duration.ofMillis(200)))
			.build();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
			.until(() -> redlock.probe().stream().allMatch((status) -> status.lockable() && status.problem().isEmpty()));
		servers.get(1).call("SET", "test:" + KEY, "someone-else", "PX", "600000");
		return redlock;
	}

	/** Why node 0 did not count for the lock that needs it; empty if the lock was taken. */
	static String refusalOfNode0(Redlock redlock, Duration lease) {
		try (LockHandle handle = redlock.acquire(KEY, lease, Duration.ZERO)) {
			return "";
		}
		catch (LockNotAcquiredException ex) {
			return ex.getNodeOutcomes().get(0).detail();
		}
	}

}
