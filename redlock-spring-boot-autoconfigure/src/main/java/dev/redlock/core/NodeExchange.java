package dev.redlock.core;

/**
 * A node capability ({@link LockNode#capability}): commands sent now and answered later, so that
 * the locking thread can send to every node and read the answers as they come instead of handing
 * each node to a thread of its own.
 */
public interface NodeExchange {

	/**
	 * Starts {@link LockNode#tryAcquire} for one key without waiting for the answer.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param ttlMillis the time to live in milliseconds
	 * @return the command on its way, or {@code null} if it cannot be started now (no idle
	 * connection, for instance): then the engine calls {@link LockNode#tryAcquire} on a thread
	 * of its own
	 */
	Exchange startTryAcquire(String key, String token, long ttlMillis);

	/**
	 * Starts the release of a held lock on one key without waiting for the answer, announcing it
	 * on {@code channel} as {@link AnnouncingNode#releaseHeld} does.
	 * @param key the lock key
	 * @param token the owner's token
	 * @param channel the release channel, or {@code null} not to announce
	 * @return the command on its way, or {@code null} if it cannot be started now
	 */
	Exchange startReleaseHeld(String key, String token, String channel);

}
