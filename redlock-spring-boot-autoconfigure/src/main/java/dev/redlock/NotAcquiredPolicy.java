package dev.redlock;

/**
 * What a {@code @DistributedLock} method does when its lock is not obtained within the wait time.
 */
public enum NotAcquiredPolicy {

	/** Use {@code redlock.on-not-acquired} (whose default is {@link #THROW}). */
	DEFAULT,

	/**
	 * Throw {@link LockNotAcquiredException} (for {@code CompletableFuture} and Reactor return
	 * types: a future or publisher that fails with it).
	 */
	THROW,

	/**
	 * Do not run the method; return {@code null}, an empty {@code Optional}, a future completed
	 * with {@code null}, or an empty {@code Mono}/{@code Flux}. Logged at debug level. What a
	 * {@code @Scheduled} job that runs on one instance at a time wants.
	 */
	SKIP,

	/**
	 * Call the method named by {@link DistributedLock#fallback()}, on the same bean with the same
	 * arguments, and return its result.
	 */
	FALLBACK

}
