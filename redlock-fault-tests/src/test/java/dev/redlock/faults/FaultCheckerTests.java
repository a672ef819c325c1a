package dev.redlock.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the checker counts, on small made-up histories (times in milliseconds): overlaps in a pause
 * phase are violations, late writes are told apart from writes within validity, and two grants of one
 * key with the same token are found. The negative controls ({@link FaultNegativeControlTests}) show
 * the same checks failing on real runs.
 */
class FaultCheckerTests {

	private static final long MS = 1_000_000;

	private static final FaultChecker.PhaseRun PAUSES = new FaultChecker.PhaseRun(Phase.of(FaultKind.CLIENT_PAUSE), 0,
			10_000 * MS, List.of(), Map.of(FaultKind.CLIENT_PAUSE, 1));

	@TempDir
	Path directory;

	@Test
	void overlappingHoldsUnderPausesShouldBeViolations() throws IOException {
		FaultReport report = check(List.of(
				hold("c0-1", 100, 200, 1_100, 1_150, 1), hold("c1-1", 500, 600, 1_600, 1_650, 2)), List.of());
		assertThat(report.forbiddenOverlaps).hasSize(1);
		assertThat(report.allowedOverlaps).isEmpty();
	}

	@Test
	void writesAfterTheWritersValidityShouldCountAsLateAndTheirRejectionsAsSuch() throws IOException {
		FaultReport report = check(List.of(hold("c0-1", 100, 200, 1_200, 3_000, 1), hold("c1-1", 1_300, 1_400, 2_400,
				2_500, 2)), List.of(new FencedResource.Write("fault:k", 1, "c0-1", true, 300 * MS),
						new FencedResource.Write("fault:k", 2, "c1-1", true, 1_500 * MS),
						new FencedResource.Write("fault:k", 1, "c0-1", false, 2_900 * MS)));
		FaultReport.Row row = report.rows.get(0);
		assertThat(row.lateWrites).isEqualTo(1);
		assertThat(row.lateRejected).isEqualTo(1);
		assertThat(row.staleRejected).isEqualTo(1);
		assertThat(row.staleAccepted).isZero();
	}

	@Test
	void twoGrantsOfOneKeyWithTheSameTokenShouldBeFoundEvenWhenTheirTokensAreInOrder() throws IOException {
		FaultReport report = check(List.of(hold("c1-1", 1_300, 1_400, 2_400, 2_500, 7), hold("c0-1", 100, 200, 1_200,
				1_250, 7)), List.of());
		assertThat(report.forbiddenOverlaps).isEmpty();
		assertThat(report.sharedTokens).singleElement()
			.satisfies((shared) -> assertThat(shared.text()).contains("c0-1 and c1-1 were both granted token 7"));
		assertThat(report.rows.get(0).sharedTokens).isEqualTo(1);
	}

	private FaultReport check(List<String> holds, List<FencedResource.Write> writes) throws IOException {
		Path history = this.directory.resolve("c.history");
		Files.write(history, holds);
		return new FaultChecker(Histories.read(List.of(history)), writes, List.of(PAUSES)).check(0);
	}

	/** A fenced hold of {@code fault:k}: requested, granted, valid until, ended, with its token. */
	private static String hold(String id, long requested, long granted, long deadline, long ended, long token) {
		return String.join("\n", requested * MS + " REQUEST " + id + " FENCED fenced 0 fault:k",
				granted * MS + " GRANT " + id + " " + token + " " + deadline * MS, ended * MS + " END " + id);
	}

}
