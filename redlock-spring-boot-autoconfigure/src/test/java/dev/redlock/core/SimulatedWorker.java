package dev.redlock.core;

import java.util.List;
import java.util.SplittableRandom;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * One thread of a simulated engine that locks again and again: picks a key and a request, runs the
 * attempts as {@code Acquisition} does (a fresh token each; held-out nodes not sent to; the first
 * node asked alone after a split vote, with the head start, through {@link SplitVoteGate}'s rule;
 * granted by {@link Verdicts#refusal} on {@link LeaseMath#validUntil}; the fence round of a fenced
 * lock by {@link Verdicts#nextFence} and {@link Verdicts#fenceCounts}; a failed attempt released
 * everywhere it may have set the key, then the retry delay until the wait time is spent or no
 * quorum can count in time), then holds the lock ({@link SimulatedHold}).
 */
final class SimulatedWorker {

	private static final long MS = 1_000_000L;

	private static final long[] LEASES = { 50 * MS, 100 * MS, 200 * MS, 500 * MS, 1_000 * MS };

	private static final long[] WAITS = { 0, 10 * MS, 50 * MS, 200 * MS };

	final SimulatedEngine engine;

	final EngineSimulation sim;

	final SplittableRandom random;

	final String name;

	private boolean dead;

	private SimulatedHold hold;

	private String key;

	private boolean fenced;

	private long leaseNanos;

	private long deadline;

	private boolean splitVote;

	SimulatedWorker(SimulatedEngine engine, int index, SplittableRandom random) {
		this.engine = engine;
		this.sim = engine.sim;
		this.random = random;
		this.name = engine.name + "/w" + index;
	}

	void start() {
		this.sim.after(this.random.nextLong(2 * MS), this::acquire);
	}

	/** The process died: whatever this thread held, it holds no more. */
	void die() {
		this.dead = true;
		if (this.hold != null) {
			this.hold.die();
		}
	}

	boolean dead() {
		return this.dead;
	}

	/** After a lock call: a little think time, then the next acquisition. */
	void next() {
		this.hold = null;
		if (!this.dead) {
			this.sim.after(this.random.nextLong(5 * MS), this::acquire);
		}
	}

	private void acquire() {
		if (this.dead || this.sim.stopping()) {
			return;
		}
		int keyIndex = this.random.nextInt(this.sim.config().keys());
		this.key = EngineSimulation.KEY_PREFIX + "k" + keyIndex;
		this.fenced = keyIndex % 2 == 0;
		this.leaseNanos = LEASES[this.random.nextInt(LEASES.length)];
		this.deadline = this.sim.now() + WAITS[this.random.nextInt(WAITS.length)];
		this.splitVote = false;
		this.sim.tally.acquisitions++;
		this.sim.operation();
		if (this.engine.guarded() && this.engine.quorumOutOfReach(this.deadline)) {
			// as Acquisition: with the restart guard, a call no quorum can answer fails before its first attempt
			this.sim.tally.notAcquired++;
			this.sim.history.notAcquired(this.name, this.key, this.sim.now());
			next();
			return;
		}
		attempt();
	}

	private void attempt() {
		if (this.dead) {
			return;
		}
		this.sim.tally.attempts++;
		String token = this.sim.token();
		long start = this.sim.now();
		List<String> heldOut = this.engine.heldOut();
		long leaseMillis = this.leaseNanos / MS;
		long timeout = this.engine.nodeTimeout();
		if (!SplitVoteGate.gates(this.splitVote, this.sim.nodes(), this.engine.load().recentLatencyNanos(0), timeout)) {
			send(token, start, heldOut, null);
			return;
		}
		this.sim.tally.gated++;
		if (heldOut != null && heldOut.get(0) != null) {
			send(token, start, heldOut, SimulatedRound.notSentCall(this.engine, NodeFailure.Kind.HELD_OUT));
			return;
		}
		SimulatedRound.lone(this.engine, this.fenced ? SimulatedRound.Op.ACQUIRE_FENCED : SimulatedRound.Op.ACQUIRE,
				this.key, token, leaseMillis, (first) -> {
					if (this.dead) {
						return;
					}
					if (first.refused()) {
						long headStart = SplitVoteGate.headStartNanos(this.engine.load().recentLatencyNanos(0), timeout);
						this.sim.after(headStart, () -> send(token, start, heldOut, first));
					}
					else {
						send(token, start, heldOut, first);
					}
				});
	}

	private void send(String token, long start, List<String> heldOut, SimulatedRound.Call first) {
		if (this.dead) {
			return;
		}
		this.engine.acquire(this.key, token, this.leaseNanos / MS, this.fenced, heldOut, first,
				(round) -> decided(round, start));
	}

	private void decided(SimulatedRound round, long start) {
		if (this.dead) {
			return;
		}
		List<NodeOutcome> outcomes = round.outcomes();
		long validUntil = LeaseMath.validUntil(start, this.leaseNanos, this.sim.settings());
		int quorum = this.engine.quorum();
		if (Verdicts.refusal(outcomes, quorum, start, this.sim.now(), validUntil, this.leaseNanos / MS) != null) {
			failed(round);
			return;
		}
		if (!this.fenced) {
			granted(round, start, validUntil, 0);
			return;
		}
		long[] counters = new long[outcomes.size()];
		for (int i = 0; i < counters.length; i++) {
			counters[i] = round.call(i).counter();
		}
		long fence = Verdicts.nextFence(outcomes, counters);
		long timeout = Math.min(this.engine.nodeTimeout(), validUntil - this.sim.now());
		this.engine.raiseFence(this.key, round.token, fence, timeout, (fenceRound) -> {
			if (this.dead) {
				return;
			}
			int recorded = Round.count(fenceRound.outcomes(), Status.ACQUIRED);
			if (Verdicts.fenceCounts(recorded, quorum, this.sim.now(), validUntil)) {
				granted(round, start, validUntil, fence);
			}
			else {
				this.sim.tally.fencesNotRecorded++;
				failed(round);
			}
		});
	}

	private void failed(SimulatedRound round) {
		this.sim.tally.failedAttempts++;
		this.engine.release(SimulatedChain.of(round), 0, FanOut.ALL, (released) -> {
			if (this.dead) {
				return;
			}
			this.splitVote = Verdicts.splitVote(round.outcomes());
			long left = this.deadline - this.sim.now();
			if (left <= 0 || this.engine.quorumOutOfReach(this.deadline)) {
				this.sim.tally.notAcquired++;
				this.sim.history.notAcquired(this.name, this.key, this.sim.now());
				next();
				return;
			}
			RedlockSettings settings = this.sim.settings();
			long jitter = settings.retryJitter().toNanos();
			long delay = settings.retryDelay().toNanos() + ((jitter > 0) ? this.random.nextLong(jitter) : 0);
			this.sim.after(Math.min(left, delay), this::attempt);
		});
	}

	private void granted(SimulatedRound round, long start, long validUntil, long fence) {
		this.sim.tally.granted++;
		if (this.sim.tracing()) {
			this.sim.trace(this.key, this.name + " granted " + round.token + " fence " + fence + " start "
					+ (start % 1_000_000_000_000L) / 1e9 + " valid until " + (validUntil % 1_000_000_000_000L) / 1e9);
		}
		this.hold = new SimulatedHold(this, round, start, validUntil, fence, this.leaseNanos);
		this.hold.begin();
	}

}
