package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One independent Redis master that takes part in the quorum: the small interface every node
 * implements. Each operation is a single round trip, bounded by the node timeout, and throws a
 * {@link NodeFailure} when it gets no usable answer. Optional capabilities (fencing, arming,
 * announced releases, the send-now/read-later exchange) are separate interfaces, offered through
 * {@link #capability}.
 *
 * <p>The engine calls these methods from its own threads, concurrently for different keys.
 */
public interface LockNode extends AutoCloseable {

	/**
	 * The node's name for messages, logs and metrics, such as {@code 10.0.0.5:6379}. Never
	 * contains credentials.
	 * @return the name
	 */
	String name();

	/**
	 * How many calls the node can serve at once (its connections); the engine sends no new
	 * acquisition to a node that is slow and has this many calls running. The default, 0, means no
	 * limit is known.
	 * @return the number of concurrent calls, or 0
	 */
	default int maxConcurrentCalls() {
		return 0;
	}

	/**
	 * Whether lock keys must carry a hash tag ({@code {key}}) so that a lock's key and its fencing
	 * counter land in one slot, as on a Redis Cluster.
	 * @return {@code true} for cluster members
	 */
	default boolean needsHashTags() {
		return false;
	}

	/**
	 * Sets every key to {@code token} with a time to live, only if none of them exists, in one
	 * atomic step ({@code SET key token NX PX ttl} for one key).
	 * @param keys the lock keys, at least one
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @return {@code true} if the keys were set, {@code false} if one exists (another owner)
	 */
	boolean tryAcquire(List<String> keys, String token, long ttlMillis);

	/**
	 * Deletes each key whose value is {@code token}.
	 * @param keys the lock keys
	 * @param token the owner's token
	 * @return {@code true} if every key was deleted, {@code false} if one was absent or another's
	 */
	boolean release(List<String> keys, String token);

	/**
	 * Sets the time to live of the keys if every one of them holds {@code token}.
	 * @param keys the lock keys
	 * @param token the owner's token
	 * @param ttlMillis the new time to live in milliseconds
	 * @return {@code true} if the lease was set, {@code false} if a key is absent or another's
	 */
	boolean extend(List<String> keys, String token, long ttlMillis);

	/**
	 * One of the node's optional capabilities, if it has it: {@link FencedNode},
	 * {@link ArmableNode}, {@link AnnouncingNode}, {@link NodeExchange}. The engine asks once, when
	 * it is built. The default offers what the node's own type implements.
	 * @param <T> the capability
	 * @param type the capability's interface
	 * @return the capability, or empty
	 */
	default <T> Optional<T> capability(Class<T> type) {
		return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
	}

	/**
	 * Checks the node: sets and deletes a canary lock, and reads what the node tells about
	 * itself where the implementation can. The default sets and releases the canary only.
	 * @param canaryKey a key no lock uses
	 * @return the status; never throws
	 */
	default NodeStatus probe(String canaryKey) {
		long start = System.nanoTime();
		try {
			String token = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
			boolean set = tryAcquire(List.of(canaryKey), token, 10_000);
			Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);
			boolean deleted = set && release(List.of(canaryKey), token);
			return new NodeStatus(name(), true, set && deleted, roundTrip, null, null, null, null,
					(set && deleted) ? "" : "the canary lock could not be set and deleted", false, null, null);
		}
		catch (RuntimeException ex) {
			return NodeStatus.unreachable(name(), NodeFailure.describe(ex));
		}
	}

	/**
	 * Closes the node's connections.
	 */
	@Override
	void close();

}
