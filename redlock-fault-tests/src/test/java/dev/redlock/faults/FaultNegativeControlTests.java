package dev.redlock.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Negative controls of the fault suite: runs with a protection switched off on purpose
 * ({@link Sabotage}), which the checks of {@link FaultSuiteTests} must fail, and are asserted to. A
 * checker that has never failed proves little. Short phases, one seed (the suite's).
 * <ul>
 * <li>Fencing off, client pauses: the paused holders' late writes get through, and the check of
 * stale writes accepted fails.</li>
 * <li>Restart guard off, nodes killed and restarted empty: holds overlap within their validity.</li>
 * <li>Split quorum, no faults: two clients each count two of their own three nodes as a quorum of
 * five (a broken engine in the client, never in the library), and their holds overlap.</li>
 * </ul>
 */
class FaultNegativeControlTests {

	static final Duration PHASE = Duration.ofSeconds(8);

	@Test
	void fencingOffUnderPausesAndRestartGuardOffUnderKillsShouldFailTheChecks() {
		FaultParameters parameters = FaultParameters.fromEnvironment()
			.negativeControl(PHASE, Set.of(Sabotage.FENCING_OFF, Sabotage.RESTART_GUARD_OFF), "CLIENT_PAUSE",
					"KILL_RESTART");
		FaultReport report = run(parameters, "sabotaged");
		FaultReport.Row pauses = row(report, FaultKind.CLIENT_PAUSE);
		FaultReport.Row kills = row(report, FaultKind.KILL_RESTART);
		assertThat(pauses.staleAccepted).as("stale writes accepted with fencing off, under pauses").isPositive();
		assertThat(kills.overlaps).as("overlapping holds with the restart guard off, under kills").isPositive();
		assertThat(failedChecks(report, parameters)).anyMatch((text) -> text.contains("stale writes accepted in phase"))
			.anyMatch((text) -> text.contains("overlapping holds in phases without clock faults"));
	}

	@Test
	void splitQuorumShouldFailTheOverlapCheckWithoutFaults() {
		FaultParameters parameters = FaultParameters.fromEnvironment()
			.negativeControl(PHASE, Set.of(Sabotage.SPLIT_QUORUM), "none");
		FaultReport report = run(parameters, "split");
		assertThat(report.forbiddenOverlaps).as("overlapping holds of clients with a split quorum").isNotEmpty();
		assertThat(failedChecks(report, parameters))
			.anyMatch((text) -> text.contains("overlapping holds in phases without clock faults"));
	}

	private static FaultReport run(FaultParameters parameters, String name) {
		Path directory = RunDirectory.create(Path.of("target", "fault-suite"), Instant.now());
		try (FaultRun run = new FaultRun(parameters, directory)) {
			FaultReport report = run.run();
			System.out.println("\nNegative control '" + name + "', run directory " + directory.toAbsolutePath() + "\n"
					+ report.table() + report.evidence(run.log()));
			return report;
		}
	}

	private static FaultReport.Row row(FaultReport report, FaultKind kind) {
		return report.rows.stream().filter((row) -> row.phase.kinds().equals(Set.of(kind))).findFirst().orElseThrow();
	}

	/** The descriptions of the suite's own checks that fail on this report. */
	private static List<String> failedChecks(FaultReport report, FaultParameters parameters) {
		SoftAssertions softly = new SoftAssertions();
		FaultSuiteTests.check(softly, report, parameters.seed());
		List<String> failed = softly.errorsCollected().stream().map(Throwable::getMessage).toList();
		System.out.println("Checks that failed, as they must: " + failed.size() + "\n  " + String.join("\n  ", failed));
		return failed;
	}

}
