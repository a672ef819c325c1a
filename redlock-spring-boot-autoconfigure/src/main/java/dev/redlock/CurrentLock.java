package dev.redlock;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The lock of the {@code @DistributedLock} method or {@link LockTemplate} callback that is running
 * on this thread, for code that needs its handle: to check {@link LockHandle#isValid()} before an
 * irreversible step, read {@link LockHandle#fencingToken()}, or extend the lease.
 *
 * <pre>{@code
 * @DistributedLock(key = "#orderId", fencing = true)
 * public void pay(String orderId) {
 *     long token = CurrentLock.handle().orElseThrow().fencingToken().getAsLong();
 *     ledger.write(orderId, token);
 * }
 * }</pre>
 *
 * The binding belongs to the invocation: it is set while the method or callback runs on the
 * calling thread and removed when it returns. Work handed to another thread should take the
 * handle along.
 */
public final class CurrentLock {

	private static final ThreadLocal<Deque<LockHandle>> HANDLES = ThreadLocal.withInitial(ArrayDeque::new);

	private CurrentLock() {
	}

	/**
	 * The innermost lock held by the running {@code @DistributedLock} method or
	 * {@code LockTemplate} callback.
	 * @return the handle, or empty outside of one
	 */
	public static Optional<LockHandle> handle() {
		return Optional.ofNullable(HANDLES.get().peek());
	}

	static <T> T with(LockHandle handle, LockCallback<T> callback) {
		Deque<LockHandle> handles = HANDLES.get();
		handles.push(handle);
		try {
			return callback.doWithLock(handle);
		}
		finally {
			handles.pop();
			if (handles.isEmpty()) {
				HANDLES.remove();
			}
		}
	}

}
