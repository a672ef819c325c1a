package dev.redlock.protocol;

import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLSocketFactory;
/**
 * How a node connects to one quorum member, whatever the client: what the auto-configuration
 * hands its {@code LockNodeFactory} for each member, from the {@code redlock.*} properties, and
 * what {@code JedisLockNode} is built from.
 *
 * @param address the member
 * @param nodeTimeout the longest a command may take ({@code redlock.node-timeout}): the connect
 * and read timeout, and the longest wait for a free pooled connection
 * @param maxConnections the connection pool's size ({@code redlock.max-connections-per-node}),
 * at least 1
 * @param sslSocketFactory the TLS socket factory for {@code rediss://} members (from the SSL
 * bundle), or {@code null} for the JVM's default trust store
 * @param replicaAcks how many replicas must acknowledge a new lock key for it to count
 * ({@code redlock.replica-acks}), 0 not to wait
 * @param callerReadsAnswers whether the locking thread may send its commands and read the answers
 * itself ({@code redlock.caller-reads-answers}), where the driver supports it
 */
public record LockNodeSettings(RedisNodeAddress address, Duration nodeTimeout, int maxConnections,
		SSLSocketFactory sslSocketFactory, int replicaAcks, boolean callerReadsAnswers) {

	/**
	 * Checks the settings.
	 * @param address the member
	 * @param nodeTimeout the node timeout
	 * @param maxConnections the pool's size
	 * @param sslSocketFactory the TLS socket factory, or {@code null}
	 * @param replicaAcks the replica acknowledgements
	 * @param callerReadsAnswers whether the caller may read the answers
	 */
	public LockNodeSettings {
		Objects.requireNonNull(address, "address");
		Objects.requireNonNull(nodeTimeout, "nodeTimeout");
		if (maxConnections < 1) {
			throw new IllegalArgumentException("maxConnections must be at least 1, but was " + maxConnections);
		}
		if (replicaAcks < 0) {
			throw new IllegalArgumentException("replicaAcks must not be negative, but was " + replicaAcks);
		}
	}

}
