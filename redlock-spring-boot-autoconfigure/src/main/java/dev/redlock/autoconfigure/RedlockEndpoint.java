package dev.redlock.autoconfigure;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import dev.redlock.core.HeldLock;
import dev.redlock.core.NodeStatus;
import dev.redlock.core.Redlock;

/**
 * The read-only {@code redlock} actuator endpoint: the locks this instance holds now and the state
 * of each node. Shows no token and no password.
 */
@Endpoint(id = "redlock")
public class RedlockEndpoint {

	private final Redlock redlock;

	/**
	 * Creates the endpoint.
	 * @param redlock the engine
	 */
	public RedlockEndpoint(Redlock redlock) {
		this.redlock = redlock;
	}

	/**
	 * The held locks and the nodes.
	 * @return the report
	 */
	@ReadOperation
	public RedlockReport report() {
		List<LockDescriptor> locks = this.redlock.heldLocks().stream().map(LockDescriptor::of).toList();
		List<NodeStatus> statuses = this.redlock.probe();
		List<NodeDescriptor> nodes = statuses.stream().map(NodeDescriptor::of).toList();
		long usable = nodes.stream().filter((node) -> "UP".equals(node.status())).count();
		return new RedlockReport(this.redlock.quorum(), (int) usable, locks, nodes,
				this.redlock.isEnabled() ? "enabled" : DisabledLocking.DETAIL);
	}

	/**
	 * The endpoint's report.
	 *
	 * @param quorum how many nodes a lock needs
	 * @param usableNodes how many nodes can take a lock now
	 * @param locks the locks held by this instance
	 * @param nodes the nodes, in configuration order
	 * @param locking {@code enabled}, or why no locks are taken ({@code redlock.enabled=false})
	 */
	public record RedlockReport(int quorum, int usableNodes, List<LockDescriptor> locks, List<NodeDescriptor> nodes,
			String locking) {

		/**
		 * A report of an engine that takes locks.
		 * @param quorum how many nodes a lock needs
		 * @param usableNodes how many nodes can take a lock now
		 * @param locks the locks held by this instance
		 * @param nodes the nodes, in configuration order
		 */
		public RedlockReport(int quorum, int usableNodes, List<LockDescriptor> locks, List<NodeDescriptor> nodes) {
			this(quorum, usableNodes, locks, nodes, "enabled");
		}

	}

	/**
	 * A lock held by this instance.
	 *
	 * @param name the lock's name: the annotation's name, the annotated method, or the key's first
	 * segment
	 * @param key the Redis key
	 * @param owner the thread that acquired it
	 * @param acquiredAt when
	 * @param heldForMillis for how long
	 * @param remainingMillis the validity left
	 */
	public record LockDescriptor(String name, String key, String owner, Instant acquiredAt, long heldForMillis,
			long remainingMillis) {

		static LockDescriptor of(HeldLock lock) {
			return new LockDescriptor(lock.name(), lock.key(), lock.owner(), lock.acquiredAt(),
					lock.heldFor().toMillis(), lock.remaining().toMillis());
		}

	}

	/**
	 * One node.
	 *
	 * @param node {@code host:port}
	 * @param status {@code UP} if it can take a lock now, else {@code DOWN}
	 * @param details round trip, canary, version, role, uptime, problem
	 */
	public record NodeDescriptor(String node, String status, Map<String, Object> details) {

		static NodeDescriptor of(NodeStatus status) {
			boolean up = RedlockHealthIndicator.isUsable(status);
			return new NodeDescriptor(status.node(), up ? "UP" : "DOWN", RedlockHealthIndicator.nodeDetails(status, up));
		}

	}

}
