package dev.redlock.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The directory of one fault-suite run, new for every run: histories, client configurations,
 * consoles, the fault log and the report of two runs in one checkout (one after the other, or at
 * the same time) never share a file. Named {@code run-<UTC start time>-<unique suffix>} under
 * {@code target/fault-suite}, so the newest sorts last.
 */
final class RunDirectory {

	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
		.withZone(ZoneOffset.UTC);

	private RunDirectory() {
	}

	/**
	 * Creates a directory no other run has, under {@code parent} (created if missing).
	 * @param parent where the runs' directories are kept
	 * @param start when the run starts, for the name
	 * @return the new, empty directory
	 */
	static Path create(Path parent, Instant start) {
		try {
			Files.createDirectories(parent);
			// createTempDirectory picks a suffix no existing entry has and creates it atomically
			return Files.createTempDirectory(parent, "run-" + STAMP.format(start) + "-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a directory for the fault-suite run under " + parent, ex);
		}
	}

}
