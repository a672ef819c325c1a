package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;

/** Jedis nodes on real servers for engine tests, each named after its address. */
final class TestNodes {

	private TestNodes() {
	}

	/**
	 * One node per URI.
	 * @param uris the servers
	 * @param settings the settings whose node timeout the nodes use
	 * @param connections each node's pool size
	 * @return the nodes, in order
	 */
	static List<LockNode> of(List<String> uris, RedlockSettings settings, int connections) {
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : uris) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), connections));
		}
		return nodes;
	}

	/** Settings for guard tests: 1 s leases, short retries, a 300 ms node timeout, no renewal. */
	static RedlockSettings settings(Duration waitTime, String prefix) {
		return new RedlockSettings(Duration.ofSeconds(1), waitTime, Duration.ofMillis(5), Duration.ofMillis(10),
				Duration.ofMillis(300), 0.01, prefix, false, RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
	}

}
