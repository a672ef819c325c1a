package dev.redlock.docs;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.redlock.CurrentLock;
import dev.redlock.LockTemplate;

/**
 * What the documentation's examples check about the locks they run under.
 */
public final class LockProbes {

	private LockProbes() {
	}

	/**
	 * The key of the lock the calling code runs under.
	 * @return the stored key, such as {@code redlock:o-42}
	 */
	public static String heldKey() {
		return CurrentLock.handle().orElseThrow().key();
	}

	/**
	 * Runs an action on another thread: another owner than the caller's call chain.
	 * @param <T> the result's type
	 * @param action the action
	 * @return its result
	 */
	public static <T> T elsewhere(Supplier<T> action) {
		return CompletableFuture.supplyAsync(action).join();
	}

	/**
	 * Whether another owner can take the key now (taken and released at once if so).
	 * @param locks the lock template
	 * @param key the key, without the prefix
	 * @return whether it was free
	 */
	public static boolean freeForOthers(LockTemplate locks, String key) {
		return elsewhere(() -> locks.tryAcquire(key, Duration.ofSeconds(5), Duration.ZERO)).map((handle) -> {
			handle.close();
			return true;
		}).orElse(false);
	}

}
