package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import dev.redlock.LockHandle;

/**
 * What a held lock ({@link RedlockHandle}) may ask of its runtime: extend its lease, release it,
 * schedule its renewal, report its loss, one lease lock. The handle knows nothing else of the
 * engine. The engine ({@link HeldLocks}) ends each round on the calling thread before returning;
 * the simulation later, on virtual time.
 */
interface LeaseOps extends Renewals {

	/** How many nodes must agree. */
	int quorum();

	/** How many nodes there are. */
	int nodeCount();

	/**
	 * Rejects a lease under Redis' 1 ms resolution. Any longer lease works: one longer than a node
	 * may be told ({@link #ttl}) is kept by renewal.
	 */
	default void checkLease(Duration leaseTime) {
		RedlockSettings.requirePositive("leaseTime", leaseTime);
		if (leaseTime.toMillis() < 1) {
			throw new InvalidSettingException("leaseTime", leaseTime, "must be at least 1ms, Redis' resolution");
		}
	}

	/** A new lock's lease lock. */
	default LeaseLock leaseLock() {
		return LeaseLock.onThreads();
	}

	/**
	 * Extends {@code token}'s keys on every node, each after the lock's earlier calls there; gives
	 * {@code then} the answers once a quorum agreed, or at the timeout.
	 */
	void extend(List<String> keys, String token, long leaseMillis, long timeoutNanos, Preceding after,
			Consumer<Extension> then);

	/**
	 * Releases a handle's lock, each node after the lock's earlier calls there finished; with
	 * {@code keepNanos > 0} only shortens the lease to that time (hold-at-least), keeping the keys
	 * until then by renewal steps if that is longer than a node may be told.
	 * @param handle the handle, which the engine forgets
	 * @param lock the handle as it is now, for the observer
	 * @param then run once the release is sent and awaited (also when it failed)
	 */
	void release(LockHandle handle, HeldLock lock, List<String> keys, String token, LeaseChain after, long keepNanos,
			Runnable then);

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
