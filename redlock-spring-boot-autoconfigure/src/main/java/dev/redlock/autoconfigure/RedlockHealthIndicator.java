package dev.redlock.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.redlock.core.NodeStatus;
import dev.redlock.core.Redlock;

/**
 * Health of the Redlock nodes: UP while a quorum of nodes can take a lock, with one entry per
 * node (state, round-trip time, canary lock, server version, role, uptime). The nodes are probed
 * in parallel, each command bounded by the node timeout, so a dead node cannot stall the endpoint.
 *
 * <p>With {@code redlock.enabled=false} it is UP, with a {@code locking} detail that says locking
 * is disabled.
 *
 * <p>One indicator with per-node details rather than one child contributor per node: Spring Boot
 * aggregates children pessimistically (any DOWN child makes the parent DOWN), while a lock service
 * with a minority of nodes down is still UP.
 */
public class RedlockHealthIndicator implements HealthIndicator {

	private final Redlock redlock;

	/**
	 * Creates the indicator.
	 * @param redlock the engine whose nodes to probe
	 */
	public RedlockHealthIndicator(Redlock redlock) {
		this.redlock = redlock;
	}

	@Override
	public Health health() {
		if (!this.redlock.isEnabled()) {
			return Health.up().withDetail("locking", DisabledLocking.DETAIL).build();
		}
		List<NodeStatus> statuses = this.redlock.probe();
		Map<String, Object> nodes = new LinkedHashMap<>();
		int usable = 0;
		for (NodeStatus status : statuses) {
			boolean up = isUsable(status);
			usable += up ? 1 : 0;
			nodes.put(status.node(), nodeDetails(status, up));
		}
		int quorum = this.redlock.quorum();
		Health.Builder health = (usable >= quorum) ? Health.up() : Health.down();
		health.withDetail("quorum", quorum).withDetail("usableNodes", usable).withDetail("totalNodes", statuses.size());
		if (usable < quorum) {
			health.withDetail("reason", "a lock needs " + quorum + " usable nodes, " + usable + " of "
					+ statuses.size() + " are usable");
		}
		return health.withDetail("nodes", nodes).build();
	}

	static boolean isUsable(NodeStatus status) {
		return status.reachable() && status.lockable() && status.problem().isEmpty();
	}

	static Map<String, Object> nodeDetails(NodeStatus status, boolean up) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("status", up ? "UP" : "DOWN");
		if (status.roundTrip() != null) {
			details.put("roundTripMillis", status.roundTrip().toNanos() / 1_000_000.0);
		}
		details.put("canaryLock", status.lockable() ? "set and deleted" : "failed");
		putIfKnown(details, "version", status.version());
		putIfKnown(details, "role", status.role());
		if (status.uptime() != null) {
			details.put("uptimeSeconds", status.uptime().toSeconds());
		}
		putIfKnown(details, "topology", status.topology());
		putIfKnown(details, "maxmemoryPolicy", status.maxmemoryPolicy());
		if (status.mayEvict()) {
			details.put("evictsKeys", "maxmemory " + status.maxmemory() + " bytes with maxmemory-policy "
					+ status.maxmemoryPolicy() + ": a held lock may be dropped under memory pressure");
		}
		if (!status.problem().isEmpty()) {
			details.put("problem", status.problem());
		}
		return details;
	}

	private static void putIfKnown(Map<String, Object> details, String name, Object value) {
		if (value != null) {
			details.put(name, value);
		}
	}

}
