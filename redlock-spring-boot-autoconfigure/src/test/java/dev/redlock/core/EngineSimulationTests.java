package dev.redlock.core;

import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's decision parts in a seeded simulation ({@link EngineSimulation}): a million lock
 * operations under crashes, empty restarts, pauses, delays, lost replies, node clock drift and
 * client restarts, within what the README guarantees, with no mutual-exclusion, fencing-order or
 * hold-at-least violation; one seed replays the same history; and the checker catches what breaks
 * the guarantees (node clocks far beyond the drift budget, empty restarts without the guard).
 *
 * <p>System properties: {@code simulation.seed} replays a run (each run prints its seed; a random
 * one by default), {@code simulation.operations} sets its size (1,000,000 by default). To study a
 * seed: {@code simulation.traceKey}, {@code simulation.traceFrom} and {@code simulation.traceTo}
 * (seconds of virtual time) print every command a node ran on that key in that window, and the
 * faults; {@code simulation.shortHandExtensions=true} adds hand extensions with leases below the
 * node timeout, which the current engine does not survive (see the disabled test).
 */
class EngineSimulationTests {

	private static final long SEED = Long.getLong("simulation.seed", ThreadLocalRandom.current().nextLong(1L << 40));

	private static final long OPERATIONS = Long.getLong("simulation.operations", 1_000_000L);

	/** Arming logs every node it arms and every wait, per engine: thousands of lines in a run. */
	private static final Class<?>[] QUIETED = { Arming.class, ArmingRound.class };

	private static final Level[] levels = new Level[QUIETED.length];

	@BeforeAll
	static void quietArmingLogs() {
		for (int i = 0; i < QUIETED.length; i++) {
			Logger logger = (Logger) LoggerFactory.getLogger(QUIETED[i]);
			levels[i] = logger.getLevel();
			logger.setLevel(Level.WARN);
		}
	}

	@AfterAll
	static void restoreArmingLogs() {
		for (int i = 0; i < QUIETED.length; i++) {
			((Logger) LoggerFactory.getLogger(QUIETED[i])).setLevel(levels[i]);
		}
	}

	private static EngineSimulation.Result run(EngineSimulation.Config config) {
		EngineSimulation.Result result = new EngineSimulation(config).run();
		System.out.println(result.summary());
		result.reports().forEach((report) -> System.out.println("  violation: " + report));
		return result;
	}

	@Test
	void engineShouldKeepMutualExclusionAndFencingOrderUnderFaultsWithinTheGuarantees() {
		EngineSimulation.Config config = EngineSimulation.Config.of(SEED, OPERATIONS)
			.withShortHandExtensions(Boolean.getBoolean("simulation.shortHandExtensions"));
		EngineSimulation.Result result = run(config);
		assertThat(result.tally().operations).isGreaterThanOrEqualTo(OPERATIONS);
		assertThat(result.tally().granted).as("granted").isGreaterThan(OPERATIONS / 10);
		assertThat(result.tally().gated).as("attempts gated after a split vote").isPositive();
		assertThat(result.tally().armings).as("nodes armed after empty restarts").isGreaterThan(config.nodes());
		assertThat(result.reports()).isEmpty();
		assertThat(result.overlaps()).as("mutual-exclusion violations").isZero();
		assertThat(result.fencingViolations()).as("fencing-order violations").isZero();
		assertThat(result.holdAtLeastViolations()).as("hold-at-least violations").isZero();
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
		EngineSimulation.Result result = run(EngineSimulation.Config.of(SEED, 50_000).withDriftSpread(20));
		assertThat(result.overlaps()).as("mutual-exclusion violations").isPositive();
	}

	@Test
	void emptyRestartsWithoutTheRestartGuardShouldBreakMutualExclusionAndFencingOrder() {
		EngineSimulation.Result result = run(EngineSimulation.Config.of(SEED, 50_000).withRestartGuard(false));
		assertThat(result.overlaps()).as("mutual-exclusion violations").isPositive();
		assertThat(result.fencingViolations()).as("fencing-order violations").isPositive();
	}

	/**
	 * Hand extensions with a lease shorter than the round can take: two histories the current
	 * engine gets wrong, minimized (3 nodes, 2 engines of one worker each, one key).
	 * <ul>
	 * <li>seed 245, with faults, 40 operations: a holder extends by hand with a 4 ms lease while
	 * one of its two nodes is silent; the node that applied it drops the key 4 ms later, another
	 * engine takes the lock on it and the third node at 1.2909 s, while the first handle still
	 * says it is valid until 1.3775 s (the round ends at 1.2997 s, at the node timeout, and only
	 * then cuts the validity): {@link HandleExtensionTests#validityShouldNotOutlastAShorterLeaseWhileItsExtensionRuns};</li>
	 * <li>seed 38, without faults, 4,500 operations: a 1 ms hand extension reaches node 0 late,
	 * after the close that shortened the key to the rest of its hold-at-least (11 ms, confirmed
	 * by two nodes), and cuts it to 1 ms; the same engine takes the key again within the
	 * hold-at-least: {@link HandleExtensionTests#extensionStillOnItsWayShouldNotOverrideTheLeaseOfTheHoldAtLeast}.</li>
	 * </ul>
	 */
	@Test
	@Disabled("engine issues found by the simulation; see HandleExtensionTests")
	void shortHandExtensionsShouldKeepMutualExclusionAndHoldAtLeast() {
		EngineSimulation.Result silentNode = run(EngineSimulation.Config.of(245, 40)
			.withShape(3, 2, 1, 1)
			.withShortHandExtensions(true));
		assertThat(silentNode.overlaps()).as("mutual-exclusion violations").isZero();
		EngineSimulation.Result lateExtension = run(EngineSimulation.Config.of(38, 4_500)
			.withShape(3, 2, 1, 1)
			.withShortHandExtensions(true)
			.withFaults(false));
		assertThat(lateExtension.holdAtLeastViolations()).as("hold-at-least violations").isZero();
	}

}
