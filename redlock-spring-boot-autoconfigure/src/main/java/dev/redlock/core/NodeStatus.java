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
 */
public record NodeStatus(String node, boolean reachable, boolean lockable, Duration roundTrip, String version,
		String role, Duration uptime, String runId, String problem, boolean credentialsRejected, String topology,
		Boolean armed) {

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
	 */
	public NodeStatus {
		problem = (problem != null) ? problem : "";
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
				this.runId, problem, this.credentialsRejected, this.topology, this.armed);
	}

	/**
	 * Whether the node is a replica, which must never be a Redlock node.
	 * @return {@code true} for role {@code slave} or {@code replica}
	 */
	public boolean isReplica() {
		return "slave".equals(this.role) || "replica".equals(this.role);
	}

}
