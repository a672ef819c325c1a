package dev.redlock.core;

import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import dev.redlock.NodeOutcome;

/**
 * Carries out one acquire call's attempts as its {@link AttemptLoop} decides: each attempt's round
 * ({@link LockCommands#acquire}, gated after a split vote), the fence write of a fenced one, the
 * undo of an attempt not granted, then the outcome to the {@link Caller}: granted, failed, or to be
 * attempted again after a delay. Every step hands on to the next through a continuation: on
 * production's rounds {@link #attempt()} returns once the attempt is over, its outcome told; in the
 * simulation the same steps run on virtual time. Its caller is {@link AcquisitionSteps}.
 */
final class AttemptDriver {

	/** What becomes of the attempts: the runtime's side. */
	interface Caller {

		/**
		 * The lock is granted ({@link AttemptLoop#start()}, {@link AttemptLoop#validUntil()},
		 * {@link AttemptLoop#fence()}).
		 * @param token the granted attempt's token
		 * @param round its round, which the lock's later calls follow
		 */
		void granted(String token, Round round);

		/**
		 * No lock: {@link AttemptLoop#reason()}.
		 * @param outcomes each node's answer to the last attempt, late ones included
		 */
		void failed(List<NodeOutcome> outcomes);

		/**
		 * The attempt was undone: {@link #attempt()} again after the delay (or sooner, when the key is
		 * released).
		 * @param delayNanos the retry delay
		 * @param outcomes each node's answer to the attempt, late ones included
		 */
		void retry(long delayNanos, List<NodeOutcome> outcomes);

	}

	private final LockCommands commands;

	private final AttemptLoop loop;

	private final List<String> keys;

	private final String key;

	private final long leaseMillis;

	private final boolean fenced;

	private final Ticker ticker;

	private final Supplier<List<String>> heldOut;

	private final AttemptLoop.Reach reach;

	private final RandomGenerator random;

	private final Supplier<String> tokens;

	private final Caller caller;

	/**
	 * @param commands the lock commands
	 * @param loop the attempts' decisions
	 * @param keys the lock's keys as stored; {@code key} the same joined by commas
	 * @param leaseMillis the TTL each attempt asks for
	 * @param fenced whether a fencing token is issued
	 * @param ticker the clock
	 * @param heldOut per node, why it must not be sent a lock now ({@code null}: none is held out)
	 * @param reach whether a quorum can still count before the deadline
	 * @param random draws the retry jitter
	 * @param tokens a fresh token per attempt
	 * @param caller what becomes of the attempts
	 */
	AttemptDriver(LockCommands commands, AttemptLoop loop, List<String> keys, String key, long leaseMillis,
			boolean fenced, Ticker ticker, Supplier<List<String>> heldOut,
			AttemptLoop.Reach reach, RandomGenerator random, Supplier<String> tokens, Caller caller) {
		this.commands = commands;
		this.loop = loop;
		this.keys = keys;
		this.key = key;
		this.leaseMillis = leaseMillis;
		this.fenced = fenced;
		this.ticker = ticker;
		this.heldOut = heldOut;
		this.reach = reach;
		this.random = random;
		this.tokens = tokens;
		this.caller = caller;
	}

	/** Makes one attempt, with a fresh token, and tells the caller what became of it. */
	void attempt() {
		String token = this.tokens.get();
		boolean splitVote = this.loop.begin(this.ticker.nanoTime());
		this.commands.acquire(this.keys, token, this.leaseMillis, this.fenced, this.heldOut.get(), splitVote,
				(attempt) -> answered(token, attempt));
	}

	private void answered(String token, LockCommands.Attempt attempt) {
		List<NodeOutcome> outcomes = attempt.round().outcomes();
		AttemptLoop.Step step = this.loop.answered(outcomes, this.ticker.nanoTime());
		if (step != AttemptLoop.Step.RAISE_FENCE) {
			carryOut(step, token, attempt.round());
			return;
		}
		long fence = this.loop.fence(outcomes, attempt.countersRead());
		this.commands.writeFence(this.key, token, fence,
				this.loop.fenceTimeout(this.commands.nodeTimeoutNanos(), this.ticker.nanoTime()), (recorded) -> carryOut(
						this.loop.fenceRecorded(recorded, this.ticker.nanoTime()), token, attempt.round()));
	}

	private void carryOut(AttemptLoop.Step step, String token, Round round) {
		if (step == AttemptLoop.Step.GRANT) {
			this.caller.granted(token, round);
			return;
		}
		this.commands.release(this.keys, token, round, 0, FanOut.ALL, null, (released) -> {
			// the release waited for the nodes left behind by an early decision: report their answers too
			List<NodeOutcome> outcomes = round.outcomes();
			if (this.loop.undone(outcomes, this.ticker.nanoTime(), this.reach, this.random) == AttemptLoop.Step.FAIL) {
				this.caller.failed(outcomes);
			}
			else {
				this.caller.retry(this.loop.retryDelay(), outcomes);
			}
		});
	}

}
