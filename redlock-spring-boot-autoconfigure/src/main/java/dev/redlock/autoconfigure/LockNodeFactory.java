package dev.redlock.autoconfigure;

import dev.redlock.core.LockNode;
import dev.redlock.protocol.LockNodeSettings;

/**
 * Makes the {@link LockNode} that speaks to one quorum member: the seam between the
 * auto-configured engine and a Redis client library. The default, present when Jedis 7 is on the
 * class path, makes a {@link dev.redlock.core.jedis.JedisLockNode}; define a bean of this type to
 * use another client (or to wrap the nodes, e.g. for instrumentation), and the default backs off.
 *
 * <p>A node made here must pass the contract every Redlock member passes (acquire with
 * {@code SET NX PX}, release and extend only its own token, fenced acquisition, arming, probing):
 * the client-neutral scripts, reply codes, key slots and {@code INFO} parsing in
 * {@link dev.redlock.protocol} are there to be reused. The engine owns each node made here and
 * closes it when it closes, or when the startup fails after the node was made.
 */
@FunctionalInterface
public interface LockNodeFactory {

	/**
	 * Makes the node of one member. Called once per member at startup, in the order the members
	 * are configured; should not connect yet (the engine probes every node right after).
	 * @param settings the member's address and how to connect to it
	 * @return the node, not {@code null}
	 */
	LockNode create(LockNodeSettings settings);

}
