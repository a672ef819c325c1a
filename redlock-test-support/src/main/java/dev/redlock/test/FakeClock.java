package dev.redlock.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A wall clock of one process that a test moves forward, through {@code libfaketime}: the process
 * is started with the library preloaded and reads its offset from a file on every call, so
 * {@link #advance(Duration)} takes effect at once. Only the wall clock moves (as an NTP step or a
 * manual change would move it); the monotonic clock is left alone. Advancing in small steps makes
 * a clock that runs fast; one large step is a jump.
 *
 * <pre>{@code
 * try (FakeClock clock = FakeClock.create(FakeClock.library().orElseThrow())) {
 *     RedisServerProcess node = RedisServerProcess.builder().binary(RedisBinary.embedded())
 *         .environment(clock.environment()).start();
 *     clock.advance(Duration.ofSeconds(5));   // every key with less than 5 s to live expires
 * }
 * }</pre>
 *
 * Debian's {@code redis-server} (linked against the system's jemalloc) aborts under
 * {@code libfaketime} at start; {@link RedisBinary#embedded()} runs under it.
 */
public final class FakeClock implements AutoCloseable {

	private static final String LIBRARY_VARIABLE = "REDLOCK_LIBFAKETIME";

	private final Path library;

	private final Path file;

	private long offsetNanos;

	private FakeClock(Path library, Path file) {
		this.library = library;
		this.file = file;
	}

	/**
	 * Finds {@code libfaketime.so.1}: the file named by the {@code REDLOCK_LIBFAKETIME}
	 * environment variable, or the library of the distribution's {@code libfaketime} package.
	 * @return the library, or empty if none is installed
	 */
	public static Optional<Path> library() {
		String configured = System.getenv(LIBRARY_VARIABLE);
		if (configured != null && !configured.isBlank()) {
			Path path = Path.of(configured);
			return Files.isReadable(path) ? Optional.of(path) : Optional.empty();
		}
		List<Path> candidates = new ArrayList<>();
		for (String lib : List.of("/usr/lib", "/usr/lib64", "/usr/local/lib")) {
			candidates.add(Path.of(lib, "faketime", "libfaketime.so.1"));
			Path dir = Path.of(lib);
			if (Files.isDirectory(dir)) {
				try (DirectoryStream<Path> arches = Files.newDirectoryStream(dir, "*-linux-gnu*")) {
					arches.forEach((arch) -> candidates.add(arch.resolve("faketime").resolve("libfaketime.so.1")));
				}
				catch (IOException ex) {
					// not listable: skip it
				}
			}
		}
		return candidates.stream().filter(Files::isReadable).findFirst();
	}

	/**
	 * A clock at offset zero, read from a new file.
	 * @param library {@code libfaketime.so.1}
	 * @return the clock
	 */
	public static FakeClock create(Path library) {
		try {
			FakeClock clock = new FakeClock(library, Files.createTempFile("redlock-faketime-", ".offset"));
			clock.write();
			return clock;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a faketime offset file", ex);
		}
	}

	/**
	 * The environment that puts a process on this clock; pass it to the process when it starts
	 * (and at every restart).
	 * @return {@code LD_PRELOAD}, the offset file, and the settings that make the library read it
	 * on every call and leave the monotonic clock alone
	 */
	public Map<String, String> environment() {
		return Map.of("LD_PRELOAD", this.library.toString(), "FAKETIME_TIMESTAMP_FILE", this.file.toString(),
				"FAKETIME_NO_CACHE", "1", "DONT_FAKE_MONOTONIC", "1");
	}

	/**
	 * Moves the clock forward, at once, for every process on it.
	 * @param step how far, positive
	 */
	public synchronized void advance(Duration step) {
		if (step.isNegative() || step.isZero()) {
			throw new IllegalArgumentException("FakeClock step must be positive, but was " + step);
		}
		this.offsetNanos += step.toNanos();
		write();
	}

	/**
	 * How far the clock is ahead of the real one.
	 * @return the offset
	 */
	public synchronized Duration offset() {
		return Duration.ofNanos(this.offsetNanos);
	}

	private void write() {
		String offset = String.format(Locale.ROOT, "+%.6f", this.offsetNanos / 1e9);
		try {
			// replaced, never rewritten in place: a reader must not see a half-written offset
			Path temp = Files.createTempFile(this.file.getParent(), "redlock-faketime-", ".tmp");
			Files.writeString(temp, offset + "\n");
			Files.move(temp, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write the faketime offset file " + this.file, ex);
		}
	}

	/**
	 * Deletes the offset file; stop the processes on this clock first.
	 */
	@Override
	public void close() {
		try {
			Files.deleteIfExists(this.file);
		}
		catch (IOException ex) {
			// a temporary file: nothing else to do
		}
	}

	@Override
	public String toString() {
		return "FakeClock[" + offset() + " ahead, " + this.file + "]";
	}

}
