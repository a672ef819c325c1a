package dev.redlock.core;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import dev.redlock.NodeOutcome;

/**
 * One acquire call's steps, the same on every runtime. With the restart guard, a call that no
 * quorum can answer before its wait ends fails before its first attempt. A call with a wait time
 * on a single key joins the line of this process' callers of that key ({@link LocalWaiters}) and
 * waits for its turn; a call with a wait time registers a wake-up under its keys and listens for
 * releases announced by other processes while it waits to retry ({@link ReleaseNotifications}).
 * Then its {@link AttemptDriver} makes the attempts, each after the retry delay or at once when
 * one of the keys is released, until one is granted, the attempts fail, or the engine is closing.
 * The runtime does the waiting ({@link Waits}) and takes the end ({@link Ending}):
 * {@link Acquisition} parks the calling thread; the simulation sets timers on virtual time.
 */
final class AcquisitionSteps implements AttemptDriver.Caller {

	/** How a call waits: the runtime's side. */
	interface Waits {

		/**
		 * What ends a wait early: registered as the call's turn in its line and as its wake-up under
		 * its keys. It must not block.
		 * @return the same object every time
		 */
		Runnable wakeUp();

		/** Only a wake-up from now on ends the next wait early. */
		void resetWakeUp();

		/**
		 * Runs {@code next} once the call's place heads its line (or was woken since the last
		 * reset), or after {@code nanos} at the latest.
		 */
		void awaitTurn(long nanos, Runnable next);

		/**
		 * Runs {@code next} after the retry delay, or as soon as one of the keys is released (or
		 * was, since the last reset).
		 */
		void awaitRetry(long nanos, Runnable next);

	}

	/** How a call ends: the runtime's side. */
	interface Ending {

		/**
		 * Granted: the lock's start, validity and fence are the {@link AttemptLoop}'s.
		 * @param token the granted attempt's token
		 * @param round its round, which the lock's later calls follow
		 */
		void granted(String token, Round round);

		/**
		 * Not granted.
		 * @param reason why
		 * @param outcomes each node's answer to the last attempt, or the nodes that cannot count
		 * @param cause the interruption that ended the call, or {@code null}
		 */
		void failed(String reason, List<NodeOutcome> outcomes, Throwable cause);

	}

	/**
	 * The engine's parts that every call uses.
	 * @param heldOut per node, why it must not be sent a lock now ({@code null}: none is)
	 * @param closing whether the engine is closing (no lock may be granted from then on)
	 * @param tokens a fresh token per attempt
	 */
	record Parts(LockCommands commands, LocalWaiters waiters, ReleaseNotifications notifications, QuorumReach reach,
			Supplier<List<String>> heldOut, BooleanSupplier closing, Ticker ticker, Supplier<String> tokens) {
	}

	private final Parts parts;

	private final List<String> keys;

	private final AttemptLoop loop;

	private final long deadline;

	private final boolean mayWait;

	private final AttemptDriver driver;

	private final Waits waits;

	private final Ending ending;

	/** The call's place in its key's line, or {@code null}. */
	private LocalWaiters.Place place;

	/** Whether the call waits for its turn in line. */
	private boolean inLine;

	/** Whether the call's wake-up is registered under its keys. */
	private boolean registered;

	private ReleaseNotifications.Wait listening;

	/** The last attempt's answers. */
	private List<NodeOutcome> outcomes = List.of();

	private boolean ended;

	/**
	 * @param keys the lock's keys as stored; {@code key} the same joined by commas
	 * @param loop the attempts' decisions, with the call's deadline
	 * @param leaseMillis the TTL each attempt asks for
	 * @param fenced whether a fencing token is issued
	 * @param mayWait whether the call has a wait time (queues, wakes up, listens)
	 * @param random draws the retry jitter
	 */
	AcquisitionSteps(Parts parts, List<String> keys, String key, AttemptLoop loop, long deadline, long leaseMillis,
			boolean fenced, boolean mayWait, RandomGenerator random, Waits waits, Ending ending) {
		this.parts = parts;
		this.keys = keys;
		this.loop = loop;
		this.deadline = deadline;
		this.mayWait = mayWait;
		this.waits = waits;
		this.ending = ending;
		this.driver = new AttemptDriver(parts.commands(), loop, keys, key, leaseMillis, fenced, parts.ticker(),
				parts.heldOut(), parts.reach(), random, parts.tokens(), this);
	}

	/** Begins the call: runs until its first wait, or its end. */
	void start() {
		QuorumReach.OutOfReach hopeless = this.parts.reach().quorumOutOfReachBeforeTrying(this.deadline);
		if (hopeless != null) {
			// not even queued behind this process' other callers: none of them can succeed either
			fail(hopeless.reason(), hopeless.nodes(), null);
			return;
		}
		if (this.mayWait && this.keys.size() == 1) {
			this.waits.resetWakeUp();
			this.place = this.parts.waiters().join(this.keys.get(0), this.waits.wakeUp());
			if (!this.place.head()) {
				this.inLine = true;
				this.waits.awaitTurn(this.deadline - this.parts.ticker().nanoTime(), this::turnOrDeadline);
				return;
			}
		}
		attemptUntilDone();
	}

	private void turnOrDeadline() {
		this.inLine = false;
		if (!this.place.head()) {
			// no turn within the wait time: still one attempt, so that the answer names the nodes
			this.place.close();
		}
		attemptUntilDone();
	}

	private void attemptUntilDone() {
		if (this.mayWait) {
			this.parts.waiters().register(this.keys, this.waits.wakeUp());
			this.registered = true;
			this.listening = this.parts.notifications().waiter();
		}
		attempt();
	}

	private void attempt() {
		if (this.parts.closing().getAsBoolean()) {
			// closing releases the locks it knows of: one granted from now on would outlive it
			fail("the engine is closing", List.of(), null);
			return;
		}
		if (this.mayWait) {
			// only a release from now on is news
			this.waits.resetWakeUp();
		}
		this.driver.attempt();
	}

	@Override
	public void granted(String token, Round round) {
		end();
		this.ending.granted(token, round);
	}

	@Override
	public void failed(List<NodeOutcome> outcomes) {
		fail(this.loop.reason(), outcomes, null);
	}

	@Override
	public void retry(long delayNanos, List<NodeOutcome> outcomes) {
		this.outcomes = outcomes;
		if (this.listening != null) {
			this.listening.begin();
		}
		this.waits.awaitRetry(delayNanos, this::attempt);
	}

	/**
	 * The runtime's wait was interrupted: the call ends.
	 * @param cause the interruption
	 */
	void interrupted(Throwable cause) {
		if (this.inLine) {
			fail("interrupted while queued behind another thread of this process waiting for the same key", List.of(),
					cause);
		}
		else {
			fail(this.loop.reason() + ", then interrupted while waiting to retry", this.outcomes, cause);
		}
	}

	private void fail(String reason, List<NodeOutcome> outcomes, Throwable cause) {
		end();
		this.ending.failed(reason, outcomes, cause);
	}

	/** Leaves the line, cancels the wake-up, stops listening; does nothing the second time. */
	void end() {
		if (this.ended) {
			return;
		}
		this.ended = true;
		if (this.registered) {
			this.parts.waiters().cancel(this.keys, this.waits.wakeUp());
		}
		if (this.place != null) {
			this.place.close();
		}
		if (this.listening != null) {
			this.listening.close();
		}
	}

}
