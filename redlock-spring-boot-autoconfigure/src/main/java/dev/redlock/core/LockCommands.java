package dev.redlock.core;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * The lock commands, each one round over every node ({@link Rounds}): an acquisition attempt
 * (plain or fenced, held-out nodes not sent to, gated after a split vote), the fence write of a
 * fenced acquisition, the release (or the shortening of a hold-at-least), and the extension. Each
 * hands its result to a continuation, which runs on the calling thread on production's
 * {@link FanOut}; the forms that return it are for callers on threads.
 */
final class LockCommands {

	private static final Logger logger = LoggerFactory.getLogger(LockCommands.class);

	private final Members members;

	private final Rounds rounds;

	private final SplitVoteGate gate;

	private final long nodeTimeoutNanos;

	LockCommands(Members members, Rounds rounds, long nodeTimeoutNanos) {
		this.members = members;
		this.rounds = rounds;
		this.gate = new SplitVoteGate(rounds, members.size());
		this.nodeTimeoutNanos = nodeTimeoutNanos;
	}

	/** The node timeout, which bounds each round. */
	long nodeTimeoutNanos() {
		return this.nodeTimeoutNanos;
	}

	/**
	 * One acquisition attempt's round and, for a fenced one, the counters each node read.
	 * @param round the round
	 * @param counters per node, the fencing counter it read (fenced attempts)
	 */
	record Attempt(Round round, AtomicLongArray counters) {

		/** The counters each node read, as they stand now. */
		long[] countersRead() {
			long[] read = new long[this.counters.length()];
			for (int i = 0; i < read.length; i++) {
				read[i] = this.counters.get(i);
			}
			return read;
		}

	}

	/**
	 * Sends one acquisition attempt to every node.
	 * @param fullKeys the keys
	 * @param token the attempt's token
	 * @param leaseMillis the lease
	 * @param fenced whether to read the fencing counter too (single key)
	 * @param heldOut per node, why it must not be sent to, or {@code null} (the whole list may be
	 * {@code null})
	 * @param splitVote whether the last attempt split the votes
	 * @param then takes the attempt, decided as soon as a quorum agreed or can no longer agree
	 */
	void acquire(List<String> fullKeys, String token, long leaseMillis, boolean fenced, List<String> heldOut,
			boolean splitVote, Consumer<Attempt> then) {
		AtomicLongArray counters = new AtomicLongArray(this.members.size());
		String counterKey = KeySpace.counterKey(fullKeys.get(0));
		NodeCall acquire = new NodeCall() {

			@Override
			public boolean call(int index, LockNode node) {
				if (!fenced) {
					return node.tryAcquire(fullKeys, token, leaseMillis);
				}
				long counter = LockCommands.this.members.fenced(index).tryAcquireFenced(fullKeys.get(0), token,
						leaseMillis, counterKey);
				counters.set(index, counter);
				return counter >= 0;
			}

			@Override
			public Exchange start(int index, LockNode node) {
				NodeExchange exchange = LockCommands.this.members.exchange(index);
				if (fenced || fullKeys.size() != 1 || exchange == null) {
					return null;
				}
				return exchange.startTryAcquire(fullKeys.get(0), token, leaseMillis);
			}

			@Override
			public String heldOut(int index) {
				return (heldOut != null) ? heldOut.get(index) : null;
			}

		};
		this.gate.attempt(acquire, splitVote, (call) -> this.rounds.run(call, this.members.quorum, this.nodeTimeoutNanos,
				null, true, (round) -> then.accept(new Attempt(round, counters))));
	}

	/**
	 * The second step of a fenced acquisition (a quorum max-register): records {@code fence} (one
	 * above the highest counter the granting nodes read) on every node that still holds this lock.
	 * @param timeoutNanos the longest wait (at most the validity left)
	 * @param then takes how many nodes recorded it
	 */
	void writeFence(String fullKey, String token, long fence, long timeoutNanos, IntConsumer then) {
		String counterKey = KeySpace.counterKey(fullKey);
		this.rounds.run((index, node) -> this.members.fenced(index).raiseFence(fullKey, token, counterKey, fence),
				this.members.quorum, timeoutNanos, null, true,
				(round) -> then.accept(Round.count(round.outcomes(), Status.ACQUIRED)));
	}

	/**
	 * Releases {@code token}'s keys on every node, each after that node's acquisition call
	 * finished; with {@code keepNanos > 0} only shortens the lease to that time (hold-at-least).
	 * @param awaited how many nodes must have let go before {@code then} runs ({@link FanOut#ALL}: every
	 * node's answer; the quorum, for a held lock: once a majority has let go, nobody can be refused
	 * a quorum by this lock, and a slow node's pending acquisition and release run on without
	 * delaying the caller)
	 * @param channel where to announce the deleted keys, or {@code null}
	 * @param then takes the round, which a later command on the same keys follows
	 */
	void release(List<String> fullKeys, String token, Preceding acquisition, long keepNanos, int awaited,
			String channel, Consumer<Round> then) {
		long keepMillis = TimeUnit.NANOSECONDS.toMillis(keepNanos);
		this.rounds.run(new NodeCall() {

			@Override
			public boolean call(int index, LockNode node) {
				if (keepMillis > 0) {
					return node.extend(fullKeys, token, keepMillis);
				}
				AnnouncingNode announcer = LockCommands.this.members.announcing(index);
				return (channel != null && announcer != null) ? announcer.releaseHeld(fullKeys, token, channel)
						: node.release(fullKeys, token);
			}

			@Override
			public Exchange start(int index, LockNode node) {
				NodeExchange exchange = LockCommands.this.members.exchange(index);
				return (keepMillis > 0 || fullKeys.size() != 1 || exchange == null) ? null
						: exchange.startReleaseHeld(fullKeys.get(0), token,
								(LockCommands.this.members.announcing(index) != null) ? channel : null);
			}

		}, awaited, this.nodeTimeoutNanos, acquisition, false, (round) -> {
			if (logger.isDebugEnabled()) {
				logger.debug("{} '{}' on nodes: {}", (keepMillis > 0) ? "Kept for " + keepMillis + "ms" : "Released",
						fullKeys, round.outcomes());
			}
			then.accept(round);
		});
	}

	/** {@link #release(List, String, Preceding, long, int, String, Consumer)} on a thread. */
	Round release(List<String> fullKeys, String token, Preceding acquisition, long keepNanos, int awaited,
			String channel) {
		Round[] round = new Round[1];
		release(fullKeys, token, acquisition, keepNanos, awaited, channel, (done) -> round[0] = done);
		return ranHere(round[0]);
	}

	/**
	 * Extends {@code token}'s keys on every node and hands {@code then} the result once a quorum
	 * agreed, or at the timeout.
	 */
	void extend(List<String> fullKeys, String token, long leaseMillis, long timeoutNanos, Preceding after,
			Consumer<LeaseOps.Extension> then) {
		this.rounds.run((index, node) -> node.extend(fullKeys, token, leaseMillis), this.members.quorum, timeoutNanos,
				after, true, (round) -> {
					List<NodeOutcome> outcomes = round.outcomes();
					then.accept(new LeaseOps.Extension(Round.count(outcomes, Status.ACQUIRED),
							Round.count(outcomes, Status.HELD_BY_OTHER), round));
				});
	}

	/** {@link #extend(List, String, long, long, Preceding, Consumer)} on a thread. */
	LeaseOps.Extension extend(List<String> fullKeys, String token, long leaseMillis, long timeoutNanos,
			Preceding after) {
		LeaseOps.Extension[] extension = new LeaseOps.Extension[1];
		extend(fullKeys, token, leaseMillis, timeoutNanos, after, (done) -> extension[0] = done);
		return ranHere(extension[0]);
	}

	/** A result the returning forms read: there, once the method returned, on production's rounds. */
	private static <T> T ranHere(T result) {
		if (result == null) {
			throw new IllegalStateException("a round ended without a result: it did not run on the calling thread");
		}
		return result;
	}

}
