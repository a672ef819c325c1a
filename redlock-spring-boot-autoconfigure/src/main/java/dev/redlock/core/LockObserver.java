package dev.redlock.core;

import java.time.Duration;
import java.util.function.Supplier;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome;

/**
 * Watches the engine at work, for metrics and tracing. Every method has a default that only
 * does the work, so an implementation overrides what it needs. Implementations must not throw.
 */
public interface LockObserver {

	/** An observer that observes nothing. */
	LockObserver NONE = new LockObserver() {
	};

	/**
	 * Runs one acquisition, with all its attempts.
	 * @param request the request
	 * @param acquisition the acquisition: returns the handle or throws
	 * {@link dev.redlock.LockNotAcquiredException}
	 * @return the acquisition's handle
	 */
	default LockHandle acquisition(LockRequest request, Supplier<LockHandle> acquisition) {
		return acquisition.get();
	}

	/**
	 * Runs the release of a held lock.
	 * @param lock the lock as it is when released
	 * @param release the release
	 */
	default void release(HeldLock lock, Runnable release) {
		release.run();
	}

	/**
	 * A node call failed or timed out, in any round: an acquisition attempt, the fence write of a
	 * fenced one, a release, an extension or a renewal. Calls the engine did not send (the node was
	 * held out of the quorum) are not reported; calls it did not send because the node was
	 * saturated are.
	 * @param outcome the node and what happened
	 */
	default void nodeFailed(NodeOutcome outcome) {
	}

	/**
	 * A lock was lost: its holder can no longer rely on it before releasing it.
	 * @param lock the lock
	 */
	default void lockLost(HeldLock lock) {
	}

	/**
	 * A node's clock was seen to have advanced faster than this process's since an earlier look,
	 * beyond the drift budget: it may have expired lock keys early, and is held out of the quorum
	 * for the restart guard's hold-out.
	 * @param node the node's name
	 * @param jump how far its clock got ahead
	 */
	default void nodeClockJumped(String node, Duration jump) {
	}

}
