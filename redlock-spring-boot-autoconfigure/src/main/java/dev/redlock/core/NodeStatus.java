package dev.redlock.core;

import java.time.Duration;

/**
 * What a probe of one node found: whether it answers, whether it can take a lock, and what it
 * says about itself.
 *
 * @param node the node's name (no credentials)
 * @param reachable whether the node answered
 * @param lockable whether a canary lock could be set and deleted
 * @param roundTrip the time of a {@code PING}, or {@code null} if unknown
 * @param version the server version, or {@code null} if unknown
 * @param role {@code master} or {@code slave} (a replica), or {@code null} if unknown
 * @param uptime how long the server has run, or {@code null} if unknown
 * @param runId the server's run id, which changes at every restart, or {@code null} if unknown
 * @param problem what is wrong, or empty
 * @param credentialsRejected whether the configured credentials do not fit the node: refused (a wrong or
 * missing user name or password), or a password sent to a node that has none
 * @param topology for Sentinel and Cluster members, what the member looks like now (current
 * master, cluster state and shards), or {@code null}
 * @param armed with the restart guard on, whether the node is armed (grants locks), or
 * {@code null} if the node is not armed at all (guard off, cluster members, unknown)
 * @param maxmemory the node's {@code maxmemory} in bytes (0: no limit), or {@code null} if the
 * node does not tell ({@code INFO memory} denied or hidden)
 * @param maxmemoryPolicy the node's {@code maxmemory-policy}, such as {@code noeviction}, or
 * {@code null} if the node does not tell
 * @param clock the node's clock ({@code TIME}) as the probe read it, or {@code null} if unknown
 */
public record NodeStatus(String node, boolean reachable, boolean lockable, Duration roundTrip, String version,
		String role, Duration uptime, String runId, String problem, boolean credentialsRejected, String topology,
		Boolean armed, Long maxmemory, String maxmemoryPolicy, Clock clock) {

	/**
	 * One reading of a node's wall clock ({@code TIME}), placed on this process's monotonic clock.
	 *
	 * @param serverMicros the node's time in microseconds since the epoch
	 * @param readNanos {@link System#nanoTime()} halfway through the {@code TIME} call
	 * @param roundTripNanos how long the {@code TIME} call took: the node read its clock somewhere
	 * within it
	 */
	public record Clock(long serverMicros, long readNanos, long roundTripNanos) {

		/**
		 * The latest time the node's clock may show at {@code nowNanos} if it kept time since this
		 * reading: the reading, plus the time passed on this process's clock and {@code rate} of
		 * it more, plus the reading's round trip and {@code slackNanos}. A lock script that finds
		 * its node's clock later than this refuses the lock: the clock jumped forward since this
		 * look, and the node may have expired keys early.
		 * @param nowNanos {@link System#nanoTime()} now
		 * @param rate the share of passed time the clocks may drift apart, such as 0.01
		 * @param slackNanos what else may pass before the node runs the script, such as the node
		 * timeout
		 * @return the latest node time in microseconds since the epoch
		 */
		public long latestServerMicros(long nowNanos, double rate, long slackNanos) {
			long passed = Math.max(0, nowNanos - this.readNanos);
			return this.serverMicros + ((long) (passed * (1 + rate)) + this.roundTripNanos + slackNanos) / 1_000;
		}

	}

	/**
	 * Normalizes the problem.
	 * @param node the node
	 * @param reachable whether it answered
	 * @param lockable whether a canary lock worked
	 * @param roundTrip the round trip
	 * @param version the version
	 * @param role the role
	 * @param uptime the uptime
	 * @param runId the run id
	 * @param problem the problem
	 * @param credentialsRejected whether the credentials were refused
	 * @param topology the member's topology, or {@code null}
	 * @param armed whether the node is armed, or {@code null}
	 * @param maxmemory the {@code maxmemory}, or {@code null}
	 * @param maxmemoryPolicy the {@code maxmemory-policy}, or {@code null}
	 * @param clock the node's clock, or {@code null}
	 */
	public NodeStatus {
		problem = (problem != null) ? problem : "";
	}

	/**
	 * A status that tells nothing of the node's memory settings or clock.
	 * @param node the node
	 * @param reachable whether it answered
	 * @param lockable whether a canary lock worked
	 * @param roundTrip the round trip
	 * @param version the version
	 * @param role the role
	 * @param uptime the uptime
	 * @param runId the run id
	 * @param problem the problem
	 * @param credentialsRejected whether the credentials were refused
	 * @param topology the member's topology, or {@code null}
	 * @param armed whether the node is armed, or {@code null}
	 */
	public NodeStatus(String node, boolean reachable, boolean lockable, Duration roundTrip, String version,
			String role, Duration uptime, String runId, String problem, boolean credentialsRejected, String topology,
			Boolean armed) {
		this(node, reachable, lockable, roundTrip, version, role, uptime, runId, problem, credentialsRejected, topology,
				armed, null, null, null);
	}

	/**
	 * The status of a node that could not be probed.
	 * @param node the node
	 * @param problem why
	 * @return the status
	 */
	public static NodeStatus unreachable(String node, String problem) {
		return new NodeStatus(node, false, false, null, null, null, null, null, problem, false, null, null);
	}

	/**
	 * The same status with another problem and not lockable, as when the engine holds the node
	 * out of the quorum.
	 * @param problem the problem
	 * @return the new status
	 */
	public NodeStatus withProblem(String problem) {
		return new NodeStatus(this.node, this.reachable, false, this.roundTrip, this.version, this.role, this.uptime,
				this.runId, problem, this.credentialsRejected, this.topology, this.armed, this.maxmemory,
				this.maxmemoryPolicy, this.clock);
	}

	/**
	 * Whether the node may evict keys under memory pressure, lock keys and fencing counters
	 * included: a {@code maxmemory} limit with a policy other than {@code noeviction} (every
	 * {@code volatile-*} policy too: lock keys carry a time to live).
	 * @return {@code true} if both settings are known and allow eviction
	 */
	public boolean mayEvict() {
		return this.maxmemory != null && this.maxmemory > 0 && this.maxmemoryPolicy != null
				&& !"noeviction".equals(this.maxmemoryPolicy);
	}

	/**
	 * Whether the node is a replica, which must never be a Redlock node.
	 * @return {@code true} for role {@code slave} or {@code replica}
	 */
	public boolean isReplica() {
		return "slave".equals(this.role) || "replica".equals(this.role);
	}

}
