package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;

/**
 * One acquire call, from the request to the handle or the failure report: threads of this engine
 * that want the same key queue in the JVM and only the head asks the nodes; each attempt sends
 * {@code SET NX PX} to every node with a fresh token; a granted quorum with validity left gives the
 * handle; otherwise the attempt is undone where it may have set a key, and the next follows after
 * the retry delay (or at once when the key is released) until the wait time is spent, or at once
 * fails if no quorum can count before the wait ends (or the engine is closing).
 */
final class Acquisition {

	private final Members members;

	private final LockCommands commands;

	private final HeldLocks held;

	private final NodeHealth health;

	private final ReleaseNotifications notifications;

	private final LocalWaiters waiters;

	private final RedlockSettings settings;

	private final OpenCalls calls;

	private final AttemptLoop.Reach reach;

	Acquisition(Members members, LockCommands commands, HeldLocks held, NodeHealth health,
			ReleaseNotifications notifications, LocalWaiters waiters, RedlockSettings settings, OpenCalls calls) {
		this.members = members;
		this.commands = commands;
		this.held = held;
		this.health = health;
		this.notifications = notifications;
		this.waiters = waiters;
		this.settings = settings;
		this.calls = calls;
		this.reach = (deadline) -> {
			NodeHealth.OutOfReach hopeless = health.quorumOutOfReach(deadline);
			return (hopeless != null) ? hopeless.reason() : null;
		};
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
		NodeHealth.OutOfReach hopeless = this.health.quorumOutOfReachBeforeTrying(deadline);
		if (hopeless != null) {
			// not even queued behind this process' other threads: none of them can succeed either
			throw new LockNotAcquiredException(fullKey, this.members.quorum, 0, hopeless.reason(), hopeless.nodes(),
					null);
		}
		if (request.waitTime().isZero()) {
			return attemptUntil(request, fullKeys, fullKey, deadline, null, null);
		}
		// threads of this process that want the same key queue here, and only the head asks the nodes
		LocalWaiters.Turn turn = null;
		if (fullKeys.size() == 1) {
			try {
				turn = this.waiters.awaitTurn(fullKey, deadline - System.nanoTime());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new LockNotAcquiredException(fullKey, this.members.quorum, 0,
						"interrupted while queued behind another thread of this process waiting for the same key",
						List.of(), ex);
			}
			// no turn within the wait time: still one attempt, so that the answer names the nodes
		}
		Semaphore wakeUp = new Semaphore(0);
		Runnable woken = wakeUp::release;
		this.waiters.register(fullKeys, woken);
		ReleaseNotifications.Wait listening = this.notifications.waiter();
		try {
			return attemptUntil(request, fullKeys, fullKey, deadline, wakeUp, listening);
		}
		finally {
			this.waiters.cancel(fullKeys, woken);
			if (turn != null) {
				turn.close();
			}
			listening.close();
		}
	}

	/**
	 * Attempts until a lock is granted or the deadline has passed. Between attempts, waits the
	 * retry delay, or less if one of the keys is released meanwhile ({@code wakeUp}: by this engine,
	 * or by another process that this engine hears while it has threads waiting, {@code listening}).
	 */
	private LockHandle attemptUntil(LockRequest request, List<String> fullKeys, String fullKey, long deadline,
			Semaphore wakeUp, ReleaseNotifications.Wait listening) {
		// a longer lease is kept by renewal: no node is told more than the restart guard covers
		Duration ttl = this.held.ttl(request.leaseTime());
		AttemptLoop loop = new AttemptLoop(this.members.quorum, ttl.toNanos(), request.fencing(), deadline,
				this.settings);
		AttemptDriver.LastOutcome outcome = new AttemptDriver.LastOutcome();
		AttemptDriver driver = new AttemptDriver(this.commands, loop, fullKeys, fullKey, ttl.toMillis(),
				request.fencing(), Ticker.SYSTEM, this.health::heldOut,
				this.reach, ThreadLocalRandom.current(), KeySpace::newToken, outcome);
		while (true) {
			if (this.calls.closing()) {
				// closing releases the locks it knows of: one granted from now on would outlive it
				throw new LockNotAcquiredException(fullKey, this.members.quorum, loop.attempts(), "the engine is closing",
						List.of(), null);
			}
			if (wakeUp != null) {
				// only a release from now on is news
				wakeUp.drainPermits();
			}
			outcome.attempt(driver);
			if (outcome.token() != null) {
				return this.held.granted(request, fullKeys, fullKey, outcome.token(), outcome.round(), loop.start(),
						loop.validUntil(), loop.fence());
			}
			if (outcome.failed()) {
				throw new LockNotAcquiredException(fullKey, this.members.quorum, loop.attempts(), loop.reason(),
						outcome.outcomes(), null);
			}
			try {
				if (wakeUp != null) {
					listening.begin();
					wakeUp.tryAcquire(outcome.retryDelay(), TimeUnit.NANOSECONDS);
				}
				else {
					TimeUnit.NANOSECONDS.sleep(outcome.retryDelay());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new LockNotAcquiredException(fullKey, this.members.quorum, loop.attempts(),
						loop.reason() + ", then interrupted while waiting to retry", outcome.outcomes(), ex);
			}
		}
	}

}
