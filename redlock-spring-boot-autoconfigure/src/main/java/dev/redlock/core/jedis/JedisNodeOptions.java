package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLSocketFactory;

import dev.redlock.protocol.RedisNodeAddress;

/**
 * How a {@link JedisLockNode} connects to one member.
 * @param address the member
 * @param nodeTimeout the longest a command may take: the socket read and connect timeout, and
 * the longest wait for a free pooled connection
 * @param maxConnections the pool's size (per shard for a cluster)
 * @param sslSocketFactory the TLS socket factory for {@code rediss://} nodes (trusting the
 * nodes' CA), or {@code null} for the JVM's default trust store
 * @param replicaAcks how many replicas must acknowledge a new lock key ({@code WAIT}) for the
 * member to count it, within half the node timeout; 0 not to wait (not for cluster members)
 * @param callerReadsAnswers whether a plain-TCP standalone member may let the locking thread
 * send its commands and read the answers itself (the default); {@code false} runs every call
 * on an I/O thread
 */
public record JedisNodeOptions(RedisNodeAddress address, Duration nodeTimeout, int maxConnections,
		SSLSocketFactory sslSocketFactory, int replicaAcks, boolean callerReadsAnswers) {

	/**
	 * Checks the options.
	 * @param address the member
	 * @param nodeTimeout the node timeout
	 * @param maxConnections the pool's size
	 * @param sslSocketFactory the TLS socket factory, or {@code null}
	 * @param replicaAcks the replica acknowledgements
	 * @param callerReadsAnswers whether the caller may read the answers
	 */
	public JedisNodeOptions {
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
