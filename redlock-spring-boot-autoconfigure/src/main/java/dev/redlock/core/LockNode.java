package dev.redlock.core;

import java.time.Duration;

/**
 * One independent Redis master that takes part in the quorum. Each operation is a single round
 * trip, bounded by the node timeout, and throws on I/O errors and timeouts.
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
	 * Sets {@code key} to {@code token} with a time to live, only if the key does not exist
	 * ({@code SET key token NX PX ttl}).
	 * @param key the lock key
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @return {@code true} if the key was set, {@code false} if it exists (another owner)
	 */
	boolean tryAcquire(String key, String token, long ttlMillis);

	/**
	 * Deletes {@code key} if its value is {@code token}.
	 * @param key the lock key
	 * @param token the owner's token
	 * @return {@code true} if the key was deleted, {@code false} if it was absent or another's
	 */
	boolean release(String key, String token);

	/**
	 * Sets the time to live of {@code key} if its value is {@code token}.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param ttlMillis the new time to live in milliseconds
	 * @return {@code true} if the lease was set, {@code false} if the key is absent or another's
	 */
	boolean extend(String key, String token, long ttlMillis);

	/**
	 * Like {@link #tryAcquire}, and in the same atomic step reads the fencing counter of the
	 * lock.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @param counterKey the key of the lock's fencing counter
	 * @return the counter (0 if it does not exist) if the key was set, or {@code -1} if the key
	 * exists (another owner)
	 */
	default long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey) {
		throw new UnsupportedOperationException(name() + " does not support fencing tokens");
	}

	/**
	 * If {@code key} still holds {@code token}, raises the fencing counter to at least
	 * {@code value}.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param counterKey the key of the lock's fencing counter
	 * @param value the token to record
	 * @return {@code true} if the key held the token (the counter is now at least {@code value})
	 */
	default boolean raiseFence(String key, String token, String counterKey, long value) {
		throw new UnsupportedOperationException(name() + " does not support fencing tokens");
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
			String token = Redlock.newToken();
			boolean set = tryAcquire(canaryKey, token, 10_000);
			Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);
			boolean deleted = set && release(canaryKey, token);
			return new NodeStatus(name(), true, set && deleted, roundTrip, null, null, null, null,
					(set && deleted) ? "" : "the canary lock could not be set and deleted");
		}
		catch (RuntimeException ex) {
			return NodeStatus.unreachable(name(), FanOut.describe(ex));
		}
	}

	/**
	 * Closes the node's connections.
	 */
	@Override
	void close();

}
