package dev.redlock.core;

import java.util.List;
import java.util.random.RandomGenerator;

import dev.redlock.NodeOutcome;

/**
 * The decisions of one acquire call's attempts, as state driven by what happened: an attempt
 * begins (a fresh token, gated after a split vote), its round is decided (granted on a quorum with
 * validity left, else undone), a fenced one's token is recorded or not, the undone attempt either
 * retries after the retry delay or gives up (wait time spent, no quorum can count in time). Each
 * event returns the next {@link Step}; the runtime carries it out and reports back. It never waits
 * and never reads a clock (every event brings the time): {@link AttemptDriver} carries it out, on
 * the calling thread in production and on virtual time in the simulation.
 */
class AttemptLoop {

	/** What the runtime does next. */
	enum Step {

		/** Hand out the lock: {@link #start()}, {@link #validUntil()}, {@link #fence()}. */
		GRANT,

		/** Record the fencing token {@link #fence(List, long[])} on the nodes, within {@link #fenceTimeout}. */
		RAISE_FENCE,

		/** Release the attempt's key on every node it may have set it on, then report {@link #undone}. */
		UNDO,

		/** Attempt again after {@link #retryDelay()}. */
		RETRY,

		/** Give up: {@link #reason()}. */
		FAIL

	}

	/** Why no quorum can count before a deadline. */
	@FunctionalInterface
	interface Reach {

		/**
		 * @param deadline the deadline
		 * @return why no quorum can count before it, or {@code null} if one can
		 */
		String outOfReach(long deadline);

	}

	/** The reason an attempt whose fencing token was not recorded in time is undone. */
	static final String FENCE_NOT_RECORDED = "fencing token not recorded on a quorum within the validity time";

	private final int quorum;

	private final long leaseNanos;

	private final long leaseMillis;

	private final boolean fenced;

	private final long deadline;

	private final RedlockSettings settings;

	private int attempts;

	private boolean splitVote;

	private long start;

	private long validUntil;

	private long fence;

	private long retryDelay;

	private String reason;

	/**
	 * @param quorum how many nodes must grant an attempt
	 * @param leaseNanos the lease each attempt asks for
	 * @param fenced whether a fencing token is issued
	 * @param deadline when the wait time ends
	 * @param settings the retry delay and jitter, the drift factor
	 */
	AttemptLoop(int quorum, long leaseNanos, boolean fenced, long deadline, RedlockSettings settings) {
		this.quorum = quorum;
		this.leaseNanos = leaseNanos;
		this.leaseMillis = leaseNanos / 1_000_000L;
		this.fenced = fenced;
		this.deadline = deadline;
		this.settings = settings;
	}

	/**
	 * An attempt begins: its round is sent now.
	 * @param now the time
	 * @return whether the last attempt split the votes, so that this one is gated ({@link SplitVoteGate})
	 */
	boolean begin(long now) {
		this.attempts++;
		this.start = now;
		this.validUntil = LeaseMath.validUntil(now, this.leaseNanos, this.settings);
		this.fence = 0;
		this.reason = null;
		return this.splitVote;
	}

	/**
	 * The attempt's round is decided.
	 * @param outcomes each node's answer
	 * @param now the time
	 * @return {@link Step#GRANT}, {@link Step#RAISE_FENCE} or {@link Step#UNDO}
	 */
	Step answered(List<NodeOutcome> outcomes, long now) {
		this.reason = Verdicts.refusal(outcomes, this.quorum, this.start, now, this.validUntil, this.leaseMillis);
		if (this.reason != null) {
			return Step.UNDO;
		}
		return this.fenced ? Step.RAISE_FENCE : Step.GRANT;
	}

	/**
	 * The fencing token to record: one above the highest counter the granting nodes read.
	 * @param outcomes each node's answer to the attempt
	 * @param counters per node, the counter it read
	 * @return the token
	 */
	long fence(List<NodeOutcome> outcomes, long[] counters) {
		this.fence = Verdicts.nextFence(outcomes, counters);
		return this.fence;
	}

	/** How long the fence round may take: the node timeout, or the validity left if less. */
	long fenceTimeout(long nodeTimeoutNanos, long now) {
		return Math.min(nodeTimeoutNanos, this.validUntil - now);
	}

	/**
	 * The fence round is decided.
	 * @param recorded how many nodes recorded the token
	 * @param now the time
	 * @return {@link Step#GRANT} or {@link Step#UNDO}
	 */
	Step fenceRecorded(int recorded, long now) {
		if (Verdicts.fenceCounts(recorded, this.quorum, now, this.validUntil)) {
			return Step.GRANT;
		}
		this.reason = FENCE_NOT_RECORDED;
		return Step.UNDO;
	}

	/**
	 * The attempt was undone.
	 * @param outcomes each node's answer to the attempt, late ones included
	 * @param now the time
	 * @param reach whether a quorum can still count before the deadline
	 * @param random draws the retry jitter
	 * @return {@link Step#RETRY} or {@link Step#FAIL}
	 */
	Step undone(List<NodeOutcome> outcomes, long now, Reach reach, RandomGenerator random) {
		// a split vote: some nodes granted, others held by another contender
		this.splitVote = Verdicts.splitVote(outcomes);
		long left = this.deadline - now;
		if (left <= 0) {
			return Step.FAIL;
		}
		String hopeless = reach.outOfReach(this.deadline);
		if (hopeless != null) {
			this.reason = this.reason + "; " + hopeless;
			return Step.FAIL;
		}
		long jitter = this.settings.retryJitter().toNanos();
		this.retryDelay = Math.min(left,
				this.settings.retryDelay().toNanos() + ((jitter > 0) ? random.nextLong(jitter) : 0));
		return Step.RETRY;
	}

	int attempts() {
		return this.attempts;
	}

	long start() {
		return this.start;
	}

	long validUntil() {
		return this.validUntil;
	}

	long fence() {
		return this.fence;
	}

	long retryDelay() {
		return this.retryDelay;
	}

	String reason() {
		return this.reason;
	}

}
