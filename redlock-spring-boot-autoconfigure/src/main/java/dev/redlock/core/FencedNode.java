package dev.redlock.core;

/**
 * A node capability ({@link LockNode#capability}): the two steps of a fenced acquisition, a quorum
 * max-register over a counter key that lives beside the lock key.
 */
public interface FencedNode {

	/**
	 * Like {@link LockNode#tryAcquire} for one key, and in the same atomic step reads the lock's
	 * fencing counter.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @param counterKey the key of the lock's fencing counter
	 * @return the counter (0 if it does not exist) if the key was set, or {@code -1} if the key
	 * exists (another owner)
	 */
	long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey);

	/**
	 * If {@code key} still holds {@code token}, raises the fencing counter to at least
	 * {@code value}.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param counterKey the key of the lock's fencing counter
	 * @param value the token to record
	 * @return {@code true} if the key held the token (the counter is now at least {@code value})
	 */
	boolean raiseFence(String key, String token, String counterKey, long value);

}
