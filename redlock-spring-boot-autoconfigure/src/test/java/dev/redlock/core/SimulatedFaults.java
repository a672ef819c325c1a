package dev.redlock.core;

import java.util.SplittableRandom;

/**
 * The faults of a simulation, drawn from its seed: nodes down for a while (refusing connections or
 * silent; data kept), restarted empty (a new run id, every key gone), failed over (down, then a
 * replica takes over: a new run id of a process up long before, the data and the arming marker of
 * the former master but not its writes of the last moments), paused (requests answered late while
 * keys keep expiring), slow, losing replies (the command applied, its answer dropped), their
 * clocks' rate drifting, and engines (client processes) dying and starting again. Within what
 * docs/guarantees.md promises: at any time a majority of the nodes works and keeps its data, so a node is
 * downed, paused, slowed, made to lose replies or restarted only while fewer than a minority are
 * (a node restarted empty or failed over lacks data until it is armed again, its counters
 * restored); a failover takes longer than two probe intervals, as a Sentinel failover does (its
 * {@code down-after-milliseconds} alone is seconds), so every engine sees the node fail; clock
 * rates, of any node, stay within the drift factor times {@code driftSpread}, which is below 1
 * unless a run sets out to break the budget.
 */
final class SimulatedFaults {

	private static final long MS = 1_000_000L;

	/** The mean time between two faults. */
	private static final long MEAN_INTERVAL = 100 * MS;

	enum Kind {

		DOWN(16), RESTART_EMPTY(12), FAILOVER(8), PAUSE(16), SLOW(16), LOSE_REPLIES(12), CLOCK_RATE(10),
		ENGINE_RESTART(4), CLOCK_JUMP(10);

		final int weight;

		Kind(int weight) {
			this.weight = weight;
		}

	}

	private final EngineSimulation sim;

	private final SplittableRandom random;

	private final long[] counts = new long[Kind.values().length];

	private final int totalWeight;

	SimulatedFaults(EngineSimulation sim, SplittableRandom random) {
		this.sim = sim;
		this.random = random;
		int total = 0;
		for (Kind kind : Kind.values()) {
			total += weight(kind);
		}
		this.totalWeight = total;
	}

	long count(Kind kind) {
		return this.counts[kind.ordinal()];
	}

	void start() {
		scheduleNext();
	}

	private void scheduleNext() {
		long delay = (long) (-StrictMath.log(1 - this.random.nextDouble()) * MEAN_INTERVAL);
		this.sim.after(delay, () -> {
			inject();
			scheduleNext();
		});
	}

	private Kind draw() {
		int pick = this.random.nextInt(this.totalWeight);
		for (Kind kind : Kind.values()) {
			pick -= weight(kind);
			if (pick < 0) {
				return kind;
			}
		}
		throw new IllegalStateException();
	}

	/** Clock jumps only in runs that ask for them: the other runs draw exactly as before. */
	private int weight(Kind kind) {
		return (kind != Kind.CLOCK_JUMP || this.sim.config().clockJumps()) ? kind.weight : 0;
	}

	private long between(long low, long high) {
		return low + this.random.nextLong(high - low);
	}

	private void inject() {
		Kind kind = draw();
		if (kind == Kind.ENGINE_RESTART) {
			this.sim.restartEngine(this.random.nextInt(this.sim.config().engines()));
			this.counts[kind.ordinal()]++;
			return;
		}
		SimulatedNode node = this.sim.node(this.random.nextInt(this.sim.nodes()));
		long now = this.sim.now();
		if (kind != Kind.CLOCK_RATE
				&& (impaired(node) || impairedNodes() + 1 > this.sim.nodes() - (this.sim.nodes() / 2 + 1))) {
			return;
		}
		switch (kind) {
			case DOWN -> node.goDown(now + between(20 * MS, 1_500 * MS), this.random.nextBoolean());
			case RESTART_EMPTY -> node.restartEmpty(now + this.random.nextLong(300 * MS));
			case FAILOVER -> node.failover(now + between(2 * EngineSimulation.CHECK_INTERVAL.toNanos() + 50 * MS, 1_500 * MS),
					this.random.nextBoolean(), this.random.nextLong(SimulatedReplication.MAX_LAG_NANOS),
					between(10_000 * MS, 3_600_000 * MS));
			case PAUSE -> {
				int length = this.random.nextInt(100);
				long pause = (length < 70) ? between(MS, 60 * MS)
						: (length < 95) ? between(60 * MS, 600 * MS) : between(600 * MS, 1_500 * MS);
				node.pause(now + pause);
			}
			case SLOW -> node.slowDown(now + between(20 * MS, 800 * MS), between(MS, 40 * MS));
			case LOSE_REPLIES -> node.loseReplies(now + between(20 * MS, 500 * MS), 0.05 + 0.55 * this.random.nextDouble());
			// a jump forward loses the keys with less time to live: the node lacks data until every lock
			// it held would have expired anyway (impaired), so it uses the minority's budget
			case CLOCK_JUMP -> node.jump((this.random.nextInt(4) == 0) ? -between(300 * MS, 3_000 * MS)
					: between(300 * MS, 3_000 * MS));
			case CLOCK_RATE -> node.setRate(1 + this.sim.config().driftSpread() * this.sim.settings().driftFactor()
					* (2 * this.random.nextDouble() - 1));
			default -> throw new IllegalStateException(kind.name());
		}
		this.counts[kind.ordinal()]++;
	}

	private boolean impaired(SimulatedNode node) {
		return node.isDown() || node.isPaused() || node.isSlow() || node.losesReplies()
				|| node.lostData(this.sim.config().restartGuard(), EngineSimulation.HOLD_OUT.toNanos())
				|| node.jumpedRecently(EngineSimulation.HOLD_OUT.toNanos());
	}

	private int impairedNodes() {
		int impaired = 0;
		for (int i = 0; i < this.sim.nodes(); i++) {
			impaired += impaired(this.sim.node(i)) ? 1 : 0;
		}
		return impaired;
	}

}
