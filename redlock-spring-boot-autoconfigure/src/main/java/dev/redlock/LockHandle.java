package dev.redlock;

import java.time.Duration;

/**
 * A lock held on a quorum of Redis masters.
 *
 * <p>A handle belongs to the acquisition that created it, not to a thread: it may be passed to
 * another thread, and only its own token can release or extend the lock. {@link #close()} releases
 * the lock on every node, once; further calls do nothing.
 */
public interface LockHandle extends AutoCloseable {

	/**
	 * The full Redis key of the lock, including the configured key prefix; for a lock on several
	 * keys, the keys in sorted order joined by commas.
	 * @return the lock key
	 */
	String key();

	/**
	 * Whether this holder may still rely on the lock: it has not been released and its validity
	 * time (lease time minus acquisition time and clock drift) has not run out.
	 * @return {@code true} while the lock is held and valid
	 */
	boolean isValid();

	/**
	 * The validity time left, never negative.
	 * @return how much longer the lock is guaranteed to be held; {@link Duration#ZERO} once
	 * released or expired
	 */
	Duration remaining();

	/**
	 * Sets the lease of a still valid lock to {@code leaseTime} from now on every node that still
	 * holds it. Succeeds only if a quorum of nodes confirms before the current validity runs out;
	 * then {@link #remaining()} reflects the new lease.
	 * @param leaseTime the new lease time, positive
	 * @return {@code true} if the lock was extended, {@code false} if it was not (the current
	 * validity still applies)
	 */
	boolean extend(Duration leaseTime);

	/**
	 * The fencing token of this acquisition, if the request asked for one: a number that strictly
	 * increases across successive holders of the same key (while a majority of the nodes keeps its
	 * data). Pass it to the resource you protect, and have the resource reject any token lower
	 * than the highest it has seen.
	 * @return the token, or empty if fencing was not requested
	 */
	java.util.OptionalLong fencingToken();

	/**
	 * Releases the lock on every node where this handle's token still holds it. Never throws:
	 * a node that cannot be reached keeps the key until its lease expires.
	 */
	@Override
	void close();

	/**
	 * Releases the lock as {@link #close()} does, except that its key stays on the nodes for
	 * {@code keepFor} from now: the lease of each node that still holds this handle's token is
	 * set to {@code keepFor} instead of the key being deleted, so nobody can take the lock before
	 * then. For a minimum hold decided after the acquisition (ShedLock's {@code lockAtLeastFor}
	 * after an extension); a request's own {@link LockRequest#holdAtLeast()} still applies if it
	 * ends later. {@code keepFor} should not exceed the lease left: the key is kept for
	 * {@code keepFor}, not for its former lease. The handle is closed at once either way: it is
	 * no longer valid and no longer renewed. Never throws for a node that cannot be reached.
	 *
	 * <p>The default closes the handle when {@code keepFor} is zero or negative and throws
	 * otherwise; handles of the engine keep the key.
	 * @param keepFor how long the key stays from now; zero or negative to release at once
	 * @throws UnsupportedOperationException if this handle cannot keep its key after closing
	 */
	default void closeKeeping(Duration keepFor) {
		java.util.Objects.requireNonNull(keepFor, "keepFor");
		if (keepFor.isNegative() || keepFor.isZero()) {
			close();
			return;
		}
		throw new UnsupportedOperationException(getClass().getName() + " cannot keep its key after closing");
	}

}
