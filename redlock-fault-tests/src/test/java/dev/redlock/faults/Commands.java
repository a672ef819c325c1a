package dev.redlock.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs the machine's tools ({@code ip}, {@code iptables}, {@code kill}, {@code apt-get}).
 */
final class Commands {

	private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

	private Commands() {
	}

	/**
	 * Runs a command and returns its output.
	 * @param command the command
	 * @return its standard output and error
	 * @throws IllegalStateException if it fails or takes more than 20 seconds
	 */
	static String run(String... command) {
		return run(DEFAULT_TIMEOUT, command);
	}

	static String run(Duration timeout, String... command) {
		String line = String.join(" ", command);
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			process.getOutputStream().close();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(line + " did not finish within " + timeout);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(line + " failed (" + process.exitValue() + "): " + output.trim());
			}
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run " + line, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + line, ex);
		}
	}

	/**
	 * Runs a command, ignoring a failure.
	 * @param command the command
	 * @return its output, or empty if it failed
	 */
	static String runQuietly(String... command) {
		try {
			return run(command);
		}
		catch (RuntimeException ex) {
			return "";
		}
	}

	/**
	 * Whether a command runs and succeeds.
	 * @param timeout how long it may take
	 * @param command the command
	 * @return {@code true} if it exited with 0
	 */
	static boolean works(Duration timeout, String... command) {
		try {
			run(timeout, command);
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
