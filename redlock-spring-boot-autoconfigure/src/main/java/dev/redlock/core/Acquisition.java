package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;

/**
 * One acquire call on the calling thread, from the request to the handle or the failure report:
 * {@link AcquisitionSteps} decide and send; the thread parks through each wait ({@link ParkedCall})
 * and gets the handle or the failure at the end.
 */
final class Acquisition {

	private final Members members;

	private final HeldLocks held;

	private final RedlockSettings settings;

	private final AcquisitionSteps.Parts parts;

	Acquisition(Members members, LockCommands commands, HeldLocks held, NodeHealth health,
			ReleaseNotifications notifications, LocalWaiters waiters, RedlockSettings settings, OpenCalls calls) {
		this.members = members;
		this.held = held;
		this.settings = settings;
		this.parts = new AcquisitionSteps.Parts(commands, waiters, notifications, health.reach(), health::heldOut,
				calls::closing, Ticker.SYSTEM, KeySpace::newToken);
	}

	/**
	 * Acquires the lock, retrying until the wait time is spent.
	 * @param request the request
	 * @param fullKeys its keys as stored
	 * @return the handle
	 * @throws LockNotAcquiredException if no quorum was reached in time
	 */
	LockHandle acquire(LockRequest request, List<String> fullKeys) {
		String fullKey = String.join(",", fullKeys);
		if (request.fencing() && fullKeys.size() > 1) {
			throw new IllegalArgumentException("Fencing tokens are issued for single-key locks only, not for " + fullKey);
		}
		long deadline = System.nanoTime() + request.waitTime().toNanos();
		// a longer lease is kept by renewal: no node is told more than the restart guard covers
		Duration ttl = this.held.ttl(request.leaseTime());
		AttemptLoop loop = new AttemptLoop(this.members.quorum, ttl.toNanos(), request.fencing(), deadline,
				this.settings);
		ParkedCall call = new ParkedCall();
		AcquisitionSteps steps = new AcquisitionSteps(this.parts, fullKeys, fullKey, loop, deadline, ttl.toMillis(),
				request.fencing(), !request.waitTime().isZero(), ThreadLocalRandom.current(), call, call);
		try {
			steps.start();
			call.runUntilEnded(steps);
		}
		finally {
			steps.end();
		}
		if (call.token() == null) {
			throw new LockNotAcquiredException(fullKey, this.members.quorum, loop.attempts(), call.reason(),
					call.outcomes(), call.cause());
		}
		return this.held.granted(request, fullKeys, fullKey, call.token(), call.round(), loop.start(),
				loop.validUntil(), loop.fence());
	}

}
