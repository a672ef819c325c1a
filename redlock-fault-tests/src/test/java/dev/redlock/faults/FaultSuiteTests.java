package dev.redlock.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import dev.redlock.test.LockHolds;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redlock under the faults its critics name, with separate client processes: five
 * {@code redis-server}s, four client JVMs on the starter, each with six threads taking locks of
 * every kind on twelve shared keys and writing to a fenced resource under fenced ones; silent
 * partitions (for all clients and for one), client JVMs stopped past their lease, node clocks
 * that jump or run fast, nodes killed and restarted empty, and nodes frozen by
 * {@code DEBUG SLEEP}, on a minority of the nodes at a time. See {@link FaultRun} for the run,
 * {@link FaultChecker} for what is counted, {@link FaultParameters} for the knobs.
 *
 * <p>Fails on any stale write the resource accepted, any token out of order or shared by two grants
 * of one key, any overlap of holds within their validity where the faults do not allow one (every
 * phase without clock faults), a phase of client pauses whose late writes the resource never had
 * to reject, an empty history or phase, a fault that could not be injected, an
 * unexpected client error, a lock key that outlived its lease, or a node that did not come back;
 * and, with {@code CI=true}, on any fault kind the machine could not inject or could only model. The report is
 * printed and written to {@code report.md} next to the histories, in a directory of this run's own,
 * {@code target/fault-suite/run-<UTC start>-<suffix>} ({@link RunDirectory}).
 *
 * <p>The CI run takes about two minutes. The long run (the table in docs/guarantees.md, about 45 minutes):
 * <pre>
 * ./mvnw -B -pl redlock-fault-tests -am verify -Dtest=FaultSuiteTests -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dfaults.acquisitions=100000 -Dfaults.phaseSeconds=60 -Dfaults.workers=10 -Dfaults.keys=20
 * </pre>
 */
class FaultSuiteTests {

	/**
	 * The most overlapping holds within validity the phases with clock faults may show in CI's
	 * one-round run. Before the engines watched node clocks (issue 21) the same run showed 6 to 9
	 * (seeds 1 to 3: 9, 9, 6); since, 0 to 1.
	 */
	static final int CLOCK_OVERLAPS_IN_ONE_ROUND = 2;

	@Test
	void fencedResourceShouldAcceptNoStaleWriteAndHoldsShouldOverlapOnlyUnderClockFaults() throws IOException {
		FaultParameters parameters = FaultParameters.fromEnvironment();
		Path directory = RunDirectory.create(Path.of("target", "fault-suite"), Instant.now());
		FaultReport report;
		try (FaultRun run = new FaultRun(parameters, directory)) {
			report = run.run();
			String text = "\nRun directory: " + directory.toAbsolutePath() + "\n" + report.table()
					+ "\nAcquisitions by lock kind: " + report.acquisitionsByKind()
					+ "; history lines: " + report.histories.lines() + "\nClock checks (System.nanoTime() of each client "
					+ "between two readings of the suite's):\n  " + String.join("\n  ", run.clockChecks()) + "\n"
					+ (run.modelled().isEmpty() ? "" : "Fault kinds only modelled, not injected: " + run.modelled() + "\n")
					+ report.evidence(run.log());
			System.out.println(text);
			Files.writeString(directory.resolve("report.md"), text);
			run.close();
			SoftAssertions softly = new SoftAssertions();
			softly.assertThat(run.problems()).as("problems of the run (seed %d)", parameters.seed()).isEmpty();
			softly.assertThat(run.log().failures()).as("fault injections that failed").isEmpty();
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				softly.assertThat(run.skipped()).as("fault kinds this CI machine could not inject").isEmpty();
				softly.assertThat(run.modelled()).as("fault kinds this CI machine could only model").isEmpty();
			}
			check(softly, report, parameters.seed());
			if (parameters.acquisitions() == 0 && run.realClockFaults()) {
				long clockOverlaps = report.rows.stream()
					.filter((row) -> row.phase.kinds().contains(FaultKind.CLOCK))
					.mapToLong((row) -> row.overlaps)
					.sum();
				softly.assertThat(clockOverlaps)
					.as("overlapping holds within validity in the phases with node clock faults (seed %d): a node "
							+ "whose clock jumped forward must be held out", parameters.seed())
					.isLessThanOrEqualTo(CLOCK_OVERLAPS_IN_ONE_ROUND);
			}
			softly.assertAll();
		}
	}

	/**
	 * The checks every run must pass; the negative controls ({@link FaultNegativeControlTests})
	 * run them on sabotaged runs and expect them to fail.
	 */
	static void check(SoftAssertions softly, FaultReport report, long seed) {
		assertThat(report.acquisitions()).as("acquisitions in the history").isPositive();
		for (FaultReport.Row row : report.rows) {
			softly.assertThat(row.acquisitions).as("acquisitions in phase '%s'", row.phase.name()).isPositive();
			softly.assertThat(row.staleAccepted).as("stale writes accepted in phase '%s' (seed %d)", row.phase.name(), seed)
				.isZero();
			softly.assertThat(row.tokenOrder).as("token order violations in phase '%s' (seed %d)", row.phase.name(), seed)
				.isZero();
			softly.assertThat(row.leftovers).as("lock keys left after their lease in phase '%s'", row.phase.name())
				.isEmpty();
			// the phase of pauses alone: the mixed phase may pause a client only once or twice
			if (row.phase.kinds().equals(Set.of(FaultKind.CLIENT_PAUSE))) {
				softly.assertThat(row.lateRejected)
					.as("late writes the resource rejected in phase '%s' (seed %d): paused holders write after their "
							+ "validity, and 0 stale writes accepted must be the fencing working", row.phase.name(), seed)
					.isPositive();
			}
		}
		softly.assertThat(report.sharedTokens.stream().map(LockHolds.Violation::text))
			.as("grants of one key that share a fencing token (seed %d)", seed).isEmpty();
		softly.assertThat(report.forbiddenOverlaps.stream().map(LockHolds.Violation::text))
			.as("overlapping holds in phases without clock faults (seed %d)", seed).isEmpty();
		softly.assertThat(report.inconsistentResource).as("the fenced resource's own check").isEmpty();
		softly.assertThat(report.histories.errors.stream().map((error) -> error.hold() + ": " + error.detail()))
			.as("unexpected errors in the clients").isEmpty();
		Map<String, Integer> kinds = report.acquisitionsByKind();
		for (LockWorker.Kind kind : LockWorker.Kind.values()) {
			softly.assertThat(kinds.getOrDefault(kind.name(), 0)).as("acquisitions of kind %s", kind).isPositive();
		}
		long fencedWrites = report.rows.stream().mapToLong((row) -> row.fencedWrites).sum();
		softly.assertThat(fencedWrites).as("writes to the fenced resource").isPositive();
	}

}
