package dev.redlock;

import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;

/**
 * The locks held by the running call chain: its {@code @DistributedLock} methods and
 * {@link LockTemplate} callbacks. Gives code its handle, to check {@link LockHandle#isValid()}
 * before an irreversible step, read {@link LockHandle#fencingToken()} or extend the lease, and
 * makes locks reentrant for their logical owner.
 *
 * <pre>{@code
 * @DistributedLock(key = "#orderId", fencing = true)
 * public void pay(String orderId) {
 *     long token = CurrentLock.handle().orElseThrow().fencingToken().getAsLong();
 *     ledger.write(orderId, token);
 * }
 * }</pre>
 *
 * <p><b>Reentrancy by owner.</b> A lock belongs to the call chain that took it, not to a thread: a
 * locked method that calls (through the proxy) another method locked on the same key runs the
 * inner method under the lock it already holds, and only the outermost call releases it. Work
 * handed to another thread (an executor, a virtual thread, an async stage) stays in the same
 * chain when wrapped with {@link #wrap(Runnable)} or {@link #wrap(Callable)}; without that it is a
 * different owner and waits like any other.
 */
public final class CurrentLock {

	private static final ThreadLocal<Owner> OWNER = new ThreadLocal<>();

	private CurrentLock() {
	}

	/**
	 * The innermost lock held by the running call chain.
	 * @return the handle, or empty outside of a locked method or callback
	 */
	public static Optional<LockHandle> handle() {
		Owner owner = OWNER.get();
		return (owner != null) ? Optional.ofNullable(owner.handles.peek()) : Optional.empty();
	}

	/**
	 * Wraps a task so that it runs as part of the current call chain, with its locks: locked
	 * calls in the task on keys the chain holds do not wait. The task must finish before the
	 * locks are released (the locked method it was started from returns).
	 * @param task the task
	 * @return the wrapped task; the task itself when no lock is held
	 */
	public static Runnable wrap(Runnable task) {
		if (OWNER.get() == null) {
			return task;
		}
		Callable<Object> wrapped = wrap(Executors.callable(task));
		return () -> {
			try {
				wrapped.call();
			}
			catch (RuntimeException | Error ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		};
	}

	/**
	 * Wraps a task so that it runs as part of the current call chain; see {@link #wrap(Runnable)}.
	 * @param <T> the result type
	 * @param task the task
	 * @return the wrapped task; the task itself when no lock is held
	 */
	public static <T> Callable<T> wrap(Callable<T> task) {
		Owner owner = OWNER.get();
		if (owner == null) {
			return task;
		}
		return () -> {
			Owner previous = OWNER.get();
			OWNER.set(owner);
			try {
				return task.call();
			}
			finally {
				restore(previous);
			}
		};
	}

	private static void restore(Owner previous) {
		if (previous != null) {
			OWNER.set(previous);
		}
		else {
			OWNER.remove();
		}
	}

	/**
	 * The valid handle through which the current chain holds {@code fullKey}, if it does.
	 */
	static LockHandle heldHandle(String fullKey) {
		Owner owner = OWNER.get();
		if (owner == null) {
			return null;
		}
		LockHandle handle = owner.keys.get(fullKey);
		return (handle != null && handle.isValid()) ? handle : null;
	}

	/**
	 * Runs {@code callback} with {@code handle} as the chain's innermost lock, holding
	 * {@code fullKeys} through it.
	 */
	static <T> T with(LockHandle handle, Iterable<String> fullKeys, LockCallback<T> callback) {
		Owner owner = OWNER.get();
		boolean created = owner == null;
		if (created) {
			owner = new Owner();
			OWNER.set(owner);
		}
		Map<String, LockHandle> added = new java.util.HashMap<>();
		for (String fullKey : fullKeys) {
			if (owner.keys.putIfAbsent(fullKey, handle) == null) {
				added.put(fullKey, handle);
			}
		}
		owner.handles.push(handle);
		try {
			return callback.doWithLock(handle);
		}
		finally {
			owner.handles.remove(handle);
			added.forEach(owner.keys::remove);
			if (created) {
				OWNER.remove();
			}
		}
	}

	/** The locks of one logical owner; shared by the threads its work was handed to. */
	private static final class Owner {

		private final Deque<LockHandle> handles = new ConcurrentLinkedDeque<>();

		private final Map<String, LockHandle> keys = new ConcurrentHashMap<>();

	}

}
