package dev.redlock.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Pauses a fixture server with {@code DEBUG SLEEP} and makes sure it did sleep.
 */
final class DebugSleep {

	private DebugSleep() {
	}

	/**
	 * Sends {@code DEBUG SLEEP} and returns as soon as the server has stopped answering, or once it
	 * has answered the {@code DEBUG SLEEP} after sleeping.
	 * @param port the server's port on {@link RedisServerProcess#HOST}
	 * @param password the server's password, or {@code null}
	 * @param duration how long the server sleeps
	 * @param recentOutput the server's last output, for messages
	 * @throws IllegalStateException if the server refused the command or did not sleep
	 */
	static void pause(int port, String password, Duration duration, Supplier<String> recentOutput) {
		String host = RedisServerProcess.HOST;
		String seconds = String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
		long sent = System.nanoTime();
		CompletableFuture<Long> answered;
		try {
			answered = RespConnection.sendInBackground(host, port, password, "DEBUG", "SLEEP", seconds);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot pause redis on port " + port, ex);
		}
		long deadline = sent + Duration.ofSeconds(5).toNanos();
		while (System.nanoTime() < deadline) {
			if (answered.isDone()) {
				// on a loaded machine a short sleep can be over before a PING sees it: its answer shows it
				long slept;
				try {
					slept = answered.join() - sent;
				}
				catch (CompletionException ex) {
					throw new IllegalStateException("Redis on port " + port + " refused DEBUG SLEEP " + seconds
							+ ": " + ex.getCause(), ex.getCause());
				}
				if (slept >= duration.toNanos() * 9 / 10) {
					return;
				}
				throw new IllegalStateException("Redis on port " + port + " answered DEBUG SLEEP " + seconds
						+ " after " + TimeUnit.NANOSECONDS.toMillis(slept) + "ms: " + recentOutput.get());
			}
			try {
				RespConnection.call(host, port, 100, password, "PING");
			}
			catch (SocketTimeoutException ex) {
				return;
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Redis on port " + port + " failed while pausing", ex);
			}
		}
		throw new IllegalStateException("Redis on port " + port + " still answers after DEBUG SLEEP "
				+ seconds + ": " + recentOutput.get());
	}

}
