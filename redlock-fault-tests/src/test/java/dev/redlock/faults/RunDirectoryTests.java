package dev.redlock.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Every fault-suite run writes into a directory of its own, also two runs started in the same
 * second; a history that is not one run's cannot be read silently.
 */
class RunDirectoryTests {

	@Test
	void twoRunsStartedAtTheSameInstantShouldGetTwoNewEmptyDirectories(@TempDir Path target) throws IOException {
		Path parent = target.resolve("fault-suite");
		Instant start = Instant.parse("2026-12-07T03:30:00Z");
		Path first = RunDirectory.create(parent, start);
		Path second = RunDirectory.create(parent, start);
		assertThat(first).isNotEqualTo(second).isDirectory().isEmptyDirectory().hasParent(parent);
		assertThat(second).isDirectory().isEmptyDirectory().hasParent(parent);
		assertThat(first.getFileName().toString()).startsWith("run-20261207T033000Z-");
		Files.writeString(first.resolve("c1.history"), "1 END h1\n");
		assertThat(second.resolve("c1.history")).doesNotExist();
	}

	@Test
	void aHistoryLineThatIsNotOneRunsShouldBeReportedWithItsFileAndLine(@TempDir Path directory) throws IOException {
		Path file = directory.resolve("c1.history");
		Files.writeString(file, "5 REQUEST h1 plain plain 0 k1\n" + "\0\0\0" + "7 GRANT h1 -1 9\n");
		assertThatIllegalStateException().isThrownBy(() -> Histories.read(List.of(file)))
			.withMessageContaining("line 2 of " + file)
			.withMessageContaining("\\0\\0\\07 GRANT");
	}

}
