package dev.redlock.core;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's decision parts in a seeded simulation ({@link EngineSimulation}): a million lock
 * operations under crashes, empty restarts, failovers, pauses, delays, lost replies, node clock
 * drift and client restarts, within what docs/guarantees.md guarantees, with no mutual-exclusion,
 * fencing-order or hold-at-least violation and no key left behind; one seed replays the same
 * history; and the checker catches what breaks the guarantees (node clocks far beyond the drift
 * budget, empty restarts without the guard, failovers the probes cannot see).
 *
 * <p>System properties: {@code simulation.seed} replays a run (each run prints its seed and the
 * fingerprint of its history; a random seed by default), {@code simulation.operations} sets its
 * size (1,000,000 by default). Seed {@value #RECORDED_SEED}'s histories are recorded
 * ({@link #RECORDED}): a run of a recorded size must reproduce its fingerprint. To study a
 * seed: {@code simulation.traceKey}, {@code simulation.traceFrom} and {@code simulation.traceTo}
 * (seconds of virtual time) print every command a node ran on that key in that window, and the
 * faults.
 */
class EngineSimulationTests {

	private static final long SEED = Long.getLong("simulation.seed", ThreadLocalRandom.current().nextLong(1L << 40));

	private static final long OPERATIONS = Long.getLong("simulation.operations", 1_000_000L);

	/** The seed of the recorded histories, and of the long run in docs/internals.md. */
	private static final long RECORDED_SEED = 20261201L;

	/**
	 * The fingerprints of {@link #RECORDED_SEED}'s histories by their size. They change whenever a
	 * decision of the engine (or a step of the simulation) does: then find out why, and record the
	 * new value deliberately, with the change that made it (and run the long one again).
	 */
	private static final Map<Long, String> RECORDED = Map.of(100_000L, "eeaa431742ba9988", 1_000_000L,
			"110e9f32f9b78324", 100_000_000L, "3038c42e1cb3b312");

	/** Arming logs every node it arms and every wait, per engine, and a handle every lock it lost: thousands of lines in a run. */
	private static final Class<?>[] QUIETED = { Arming.class, ArmingRound.class, RedlockHandle.class };

	/** Arming's progress at INFO; every lock lost in a simulated fault at WARN. */
	private static final Level[] QUIETED_TO = { Level.WARN, Level.WARN, Level.ERROR };

	private static final Level[] levels = new Level[QUIETED.length];

	@BeforeAll
	static void quietArmingLogs() {
		for (int i = 0; i < QUIETED.length; i++) {
			Logger logger = (Logger) LoggerFactory.getLogger(QUIETED[i]);
			levels[i] = logger.getLevel();
			logger.setLevel(QUIETED_TO[i]);
		}
	}

	@AfterAll
	static void restoreArmingLogs() {
		for (int i = 0; i < QUIETED.length; i++) {
			((Logger) LoggerFactory.getLogger(QUIETED[i])).setLevel(levels[i]);
		}
	}

	private static EngineSimulation.Result run(EngineSimulation.Config config) {
		return run(new EngineSimulation(config));
	}

	private static EngineSimulation.Result run(EngineSimulation simulation) {
		EngineSimulation.Result result = simulation.run();
		System.out.println(result.summary());
		result.reports().forEach((report) -> System.out.println("  violation: " + report));
		return result;
	}

	@Test
	void engineShouldKeepMutualExclusionAndFencingOrderUnderFaultsWithinTheGuarantees() {
		EngineSimulation.Config config = EngineSimulation.Config.of(SEED, OPERATIONS);
		EngineSimulation.Result result = run(config);
		assertThat(result.tally().operations).isGreaterThanOrEqualTo(OPERATIONS);
		assertThat(result.tally().granted).as("granted").isGreaterThan(OPERATIONS / 10);
		assertThat(result.tally().gated).as("attempts gated after a split vote").isPositive();
		assertThat(result.tally().wokenUp).as("retries woken up by a release").isPositive();
		assertThat(result.tally().turnsInLine).as("turns handed on in a line of callers").isPositive();
		assertThat(result.tally().announcementsHeard).as("announced releases heard").isPositive();
		assertThat(result.tally().armings).as("nodes armed after empty restarts").isGreaterThan(config.nodes());
		assertThat(result.tally().keysLostInFailovers).as("lock keys failovers lost").isPositive();
		assertThat(result.reports()).isEmpty();
		assertThat(result.overlaps()).as("mutual-exclusion violations").isZero();
		assertThat(result.fencingViolations()).as("fencing-order violations").isZero();
		assertThat(result.holdAtLeastViolations()).as("hold-at-least violations").isZero();
		assertThat(result.tally().keysLeftBehind).as("keys a release skipped on a node that held them").isZero();
		if (SEED == RECORDED_SEED && RECORDED.containsKey(OPERATIONS)) {
			assertRecorded(result);
		}
	}

	/**
	 * Locks of two keys at once (a fifth of the unfenced acquisitions) among single-key ones, fenced
	 * and not, under the same faults: taken all or none on each node, extended, kept and released
	 * on all their keys, each key checked on its own.
	 */
	@Test
	void multiKeyLocksShouldKeepMutualExclusionUnderFaults() {
		EngineSimulation.Result result = run(EngineSimulation.Config.of(SEED, 200_000).withMultiKey(true));
		assertThat(result.tally().multiKeyGranted).as("locks of two keys granted").isGreaterThan(1_000);
		assertThat(result.reports()).isEmpty();
		assertThat(result.overlaps()).as("mutual-exclusion violations").isZero();
		assertThat(result.fencingViolations()).as("fencing-order violations").isZero();
		assertThat(result.holdAtLeastViolations()).as("hold-at-least violations").isZero();
		assertThat(result.tally().keysLeftBehind).as("keys a release skipped on a node that held them").isZero();
	}

	/** Its negative control: nodes whose all-keys acquisition looks only at the first key. */
	@Test
	void anAcquisitionOfAllKeysThatLooksAtTheFirstOnlyShouldBreakMutualExclusion() {
		EngineSimulation broken = new EngineSimulation(EngineSimulation.Config.of(SEED, 100_000).withMultiKey(true));
		broken.acquireAllSeesFirstKeyOnly = true;
		EngineSimulation.Result result = run(broken);
		assertThat(result.overlaps()).as("mutual-exclusion violations").isPositive();
	}

	@Test
	void recordedHistoryShouldStayTheSame() {
		assertRecorded(run(EngineSimulation.Config.of(RECORDED_SEED, 100_000)));
	}

	private static void assertRecorded(EngineSimulation.Result result) {
		long operations = result.config().operations();
		assertThat(String.format(Locale.ROOT, "%016x", result.fingerprint()))
			.as("the history of seed %d with %,d operations changed: the engine (or the simulation) decides "
					+ "differently; if that is meant, record the new fingerprint in EngineSimulationTests.RECORDED",
					RECORDED_SEED, operations)
			.isEqualTo(RECORDED.get(operations));
	}

	@Test
	void sameSeedShouldReplayTheSameHistory() {
		EngineSimulation.Result first = run(EngineSimulation.Config.of(SEED, 100_000));
		EngineSimulation.Result second = run(EngineSimulation.Config.of(SEED, 100_000));
		assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
		assertThat(second.tally().events).isEqualTo(first.tally().events);
		assertThat(second.virtualNanos()).isEqualTo(first.virtualNanos());
		EngineSimulation.Result other = run(EngineSimulation.Config.of(SEED + 1, 100_000));
		assertThat(other.fingerprint()).as("another seed, another history").isNotEqualTo(first.fingerprint());
	}

	@Test
	void nodeClocksFarBeyondTheDriftBudgetShouldBreakMutualExclusion() {
		// node clocks up to 20% fast: keys expire long before the holder's validity ends
		EngineSimulation.Result result = run(EngineSimulation.Config.of(SEED, 50_000).withDriftSpread(20)
			// without the clock rule, which holds a node whose clock runs this fast out
			.withClockJumps(false, false));
		assertThat(result.overlaps()).as("mutual-exclusion violations").isPositive();
	}

	/**
	 * The negative control for the engine's own decisions: the simulation runs the engine's attempt
	 * loop, so an engine that counts one vote it should not (a node held by another owner, when one
	 * vote short of a quorum) grants locks that others hold, and the checker sees it.
	 */
	@Test
	void anEngineThatCountsAVoteItShouldNotShouldBreakMutualExclusion() {
		EngineSimulation broken = new EngineSimulation(EngineSimulation.Config.of(SEED, 20_000));
		broken.attemptLoops = MiscountingAttemptLoop::new;
		EngineSimulation.Result result = run(broken);
		assertThat(result.overlaps()).as("mutual-exclusion violations").isPositive();
	}

	@Test
	void emptyRestartsWithoutTheRestartGuardShouldBreakMutualExclusionAndFencingOrder() {
		EngineSimulation.Result result = run(EngineSimulation.Config.of(SEED, 50_000).withRestartGuard(false));
		assertThat(result.overlaps()).as("mutual-exclusion violations").isPositive();
		assertThat(result.fencingViolations()).as("fencing-order violations").isPositive();
	}

	/**
	 * A failover the probes cannot see (the replica goes on under the former master's run id,
	 * marker and uptime, without its last writes) breaks the guarantees: of seeds 1 to 8 with
	 * 100,000 operations, at least one grants a lock while another holds it or issues a fencing
	 * token out of order; with the run id a replica really has, the guard holds the node out and the
	 * first such seed runs clean. (Several seeds, because which one breaks moves with every change
	 * of schedule: a single seed stopped breaking three times as the simulation came to run more of
	 * the engine. When the line of callers per key was first simulated, 9 of seeds 1 to 24 broke.)
	 */
	@Test
	void failoversTheProbesCannotSeeShouldBreakMutualExclusion() {
		long broken = 0;
		for (int seed = 1; seed <= 8 && broken == 0; seed++) {
			EngineSimulation.Result unseen = run(EngineSimulation.Config.of(seed, 100_000).withFailoversSeen(false)
				// without the armed scripts' clock check, which refuses acquisitions a paused node runs after the
				// caller gave up, and so hides some of these failovers' effects
				.withClockJumps(false, false));
			if (unseen.overlaps() + unseen.fencingViolations() > 0) {
				broken = seed;
			}
		}
		assertThat(broken).as("a seed of 1 to 8 whose unseen failovers break mutual exclusion or fencing order")
			.isPositive();
		EngineSimulation.Result seen = run(EngineSimulation.Config.of(broken, 100_000));
		assertThat(seen.overlaps()).as("mutual-exclusion violations").isZero();
		assertThat(seen.fencingViolations()).as("fencing-order violations").isZero();
	}

	/**
	 * Hand extensions with a lease shorter than the round can take: two histories the engine got
	 * wrong before each command of a held lock followed its earlier ones on each node and the
	 * validity was cut before an extension was sent (3 nodes, 2 engines of one worker each, one
	 * key; found with the simulation following the former steps).
	 * <ul>
	 * <li>seed 2576, with faults, 60 operations: a holder whose lock nodes 1 and 2 granted loses
	 * node 2 (silent from 0.0347 s), extends by hand with an 8 ms lease, which node 1 applies at
	 * 0.7399 s; the key there expires, and the other engine takes the lock at 0.7571 s while the
	 * first handle still says it is valid until 1.0012 s (the round ended at 0.7598 s, and only
	 * then cut the validity):
	 * {@link HandleExtensionTests#validityShouldNotOutlastAShorterLeaseWhileItsExtensionRuns};</li>
	 * <li>seed 592, without faults, 20,000 operations: a 2 ms hand extension reaches node 1 late,
	 * at 78.9427 s, after the close that shortened the key to the rest of its hold-at-least
	 * (133 ms, confirmed by nodes 0 and 1), and cuts it to 2 ms; the same engine takes the key
	 * again on nodes 1 and 2 within the hold-at-least:
	 * {@link HandleExtensionTests#extensionStillOnItsWayShouldNotOverrideTheLeaseOfTheHoldAtLeast}.</li>
	 * </ul>
	 */
	@Test
	void shortHandExtensionsShouldKeepMutualExclusionAndHoldAtLeast() {
		EngineSimulation.Result silentNode = run(EngineSimulation.Config.of(2576, 60).withShape(3, 2, 1, 1));
		assertThat(silentNode.overlaps()).as("mutual-exclusion violations").isZero();
		EngineSimulation.Result lateExtension = run(EngineSimulation.Config.of(592, 20_000)
			.withShape(3, 2, 1, 1)
			.withFaults(false));
		assertThat(lateExtension.holdAtLeastViolations()).as("hold-at-least violations").isZero();
	}

	/**
	 * Node clocks that jump (forward 0.3 to 3 s, a quarter of them back), within the fault budget
	 * (a forward jump counts as a node that lost data until the hold-out has passed). With the
	 * clock rule off (the negative control) jumped nodes vote with keys they expired early: on
	 * 300,000 operations a couple of hundred overlaps. With the engines' rule (the probes'
	 * {@code TIME} check of {@link NodePreconditions} and the armed script's check against the last
	 * look) at least 90% fewer remain on this seed (on random seeds 86% to 100% fewer, 9 seeds): the
	 * overlaps left came in clusters, each from an engine started just after a jump, which had no
	 * earlier look at the node (what no client-side look closes).
	 */
	@Test
	void nodeClockJumpsShouldBreakMutualExclusionUnlessTheEnginesSeeThem() {
		Logger logger = (Logger) LoggerFactory.getLogger(NodePreconditions.class);
		Level level = logger.getLevel();
		logger.setLevel(Level.ERROR);
		try {
			EngineSimulation.Result off = run(EngineSimulation.Config.of(7, 300_000).withClockJumps(true, false));
			assertThat(off.faults()[SimulatedFaults.Kind.CLOCK_JUMP.ordinal()]).as("clock jumps").isPositive();
			assertThat(off.overlaps()).as("mutual-exclusion violations with the clock rule off").isGreaterThan(20);
			EngineSimulation.Result on = run(EngineSimulation.Config.of(7, 300_000).withClockJumps(true, true));
			assertThat(on.overlaps()).as("mutual-exclusion violations with the clock rule on, against %d off",
					off.overlaps()).isLessThanOrEqualTo(off.overlaps() / 10);
			assertThat(on.fencingViolations()).as("fencing-order violations").isZero();
		}
		finally {
			logger.setLevel(level);
		}
	}

}
