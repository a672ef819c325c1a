package dev.redlock.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the process of one {@link RedisServerProcess}, again after each kill: waits for the
 * server's "ready" line and keeps its last lines of output for messages. Every process it started
 * and that is still running when the JVM exits is killed.
 */
final class ServerLauncher {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private static final int KEPT_LINES = 50;

	private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
				"redis-fixture-cleanup"));
	}

	private final Deque<String> output = new ArrayDeque<>();

	/**
	 * Starts a process and waits until it says it is ready to accept connections.
	 * @param command the command line
	 * @param environment variables added to the process's environment
	 * @param name what the process is, for the output thread and messages, such as
	 * {@code redis-server 7.0.15}
	 * @param port the port it is to listen on, for the thread's name and messages
	 * @return the running process
	 * @throws IllegalStateException if it did not get ready in time; the message holds its output
	 */
	Process launch(List<String> command, Map<String, String> environment, String name, int port) {
		synchronized (this.output) {
			this.output.clear();
		}
		CountDownLatch ended = new CountDownLatch(1);
		AtomicBoolean ready = new AtomicBoolean();
		Process started;
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
			builder.environment().putAll(environment);
			started = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + command, ex);
		}
		RUNNING.add(started);
		Thread reader = new Thread(() -> readOutput(started, ready, ended), "redis-" + port + "-output");
		reader.setDaemon(true);
		reader.start();
		boolean isReady;
		try {
			// the end of the output also ends the wait: a server that could not bind may still be alive
			// for a moment after it, so only its "ready" line counts
			isReady = ended.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) && ready.get()
					&& started.isAlive();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			isReady = false;
		}
		if (!isReady) {
			started.destroyForcibly();
			RUNNING.remove(started);
			throw new IllegalStateException(name + " did not start on port " + port + ": " + recentOutput());
		}
		return started;
	}

	/**
	 * Kills a process this launcher started, at once (SIGKILL), and waits up to ten seconds for it
	 * to end.
	 * @param process the process
	 */
	static void kill(Process process) {
		process.destroyForcibly();
		try {
			process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		RUNNING.remove(process);
	}

	private void readOutput(Process started, AtomicBoolean ready, CountDownLatch ended) {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				synchronized (this.output) {
					this.output.addLast(line);
					if (this.output.size() > KEPT_LINES) {
						this.output.removeFirst();
					}
				}
				String lower = line.toLowerCase(Locale.ROOT);
				if (lower.contains("ready to accept connections") || lower.contains("sentinel id is")) {
					ready.set(true);
					ended.countDown();
				}
			}
		}
		catch (IOException ex) {
			// the process ended
		}
		finally {
			ended.countDown();
		}
	}

	boolean outputContains(String text) {
		return recentOutput().toLowerCase(Locale.ROOT).contains(text);
	}

	/**
	 * The last lines the current (or last) process wrote.
	 * @return up to the last 50 lines, joined by newlines
	 */
	String recentOutput() {
		synchronized (this.output) {
			return String.join("\n", this.output);
		}
	}

}
