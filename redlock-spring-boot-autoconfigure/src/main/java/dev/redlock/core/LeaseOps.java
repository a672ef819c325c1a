package dev.redlock.core;

import java.time.Duration;
import java.util.List;

import dev.redlock.LockHandle;

/**
 * What a held lock ({@link RedlockHandle}) may ask of the engine: extend its lease, release it,
 * schedule its renewal, report its loss. The handle knows nothing else of the engine.
 */
interface LeaseOps extends Renewals {

	/** How many nodes must agree. */
	int quorum();

	/** How many nodes there are. */
	int nodeCount();

	/** Rejects a lease the engine cannot keep. */
	void checkLease(Duration leaseTime);

	/**
	 * Extends {@code token}'s keys on every node, each after the lock's earlier calls there, and
	 * waits until a quorum agreed, or until the timeout.
	 */
	Extension extend(List<String> keys, String token, long leaseMillis, long timeoutNanos, Preceding after);

	/**
	 * Releases a handle's lock, each node after the lock's earlier calls there finished; with
	 * {@code keepNanos > 0} only shortens the lease to that time (hold-at-least), keeping the keys
	 * until then by renewal steps if that is longer than a node may be told.
	 * @param handle the handle, which the engine forgets
	 * @param lock the handle as it is now, for the observer
	 */
	void release(LockHandle handle, HeldLock lock, List<String> keys, String token, LeaseChain after, long keepNanos);

	/** The handle's lock was lost. */
	void lost(LockHandle handle, HeldLock lock);

	/**
	 * The answers to one extension round.
	 * @param extended nodes that set the new lease
	 * @param refused nodes that answered that the key is absent or another's
	 * @param round the round, which the lock's next command follows
	 */
	record Extension(int extended, int refused, Round round) {
	}

}
