package dev.redlock;

/**
 * Work to run while a distributed lock is held, given to {@link LockTemplate#execute}.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface LockCallback<T> {

	/**
	 * Runs while the lock is held. The lock is released when this method returns or throws.
	 * @param handle the held lock: check {@link LockHandle#isValid()} before an irreversible step
	 * in long work, or {@link LockHandle#extend extend} it
	 * @return the result, returned by {@code execute}
	 */
	T doWithLock(LockHandle handle);

}
