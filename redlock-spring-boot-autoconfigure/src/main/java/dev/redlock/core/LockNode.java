package dev.redlock.core;

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
	 * Closes the node's connections.
	 */
	@Override
	void close();

}
