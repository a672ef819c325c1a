package dev.redlock.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One client JVM ({@link FaultClient}) as the suite sees it: started on the test's own classpath
 * (in its network namespace, if any), steered through its standard input, stopped and continued
 * with signals. Its console goes to a file; its answers to the suite are read from it.
 */
final class ClientProcess implements AutoCloseable {

	private final String name;

	private final Process process;

	private final PrintWriter commands;

	private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

	private final Deque<String> recentConsole = new ArrayDeque<>();

	private volatile long pid;

	private volatile boolean stopped;

	private volatile long grantsAtRest;

	private static final Set<ClientProcess> RUNNING = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ClientProcess::close),
				"fault-clients-cleanup"));
	}

	private ClientProcess(String name, Process process, Path console) {
		this.name = name;
		this.process = process;
		this.pid = process.pid();
		this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
		RUNNING.add(this);
		Thread reader = new Thread(() -> read(console), name + "-console");
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Starts a client JVM.
	 * @param name the client's name
	 * @param prefix what the command runs under, such as {@code ip netns exec <namespace>}
	 * @param config the client's configuration file
	 * @param console where its console output goes
	 * @return the running client (not yet ready)
	 */
	static ClientProcess start(String name, List<String> prefix, Path config, Path console) {
		List<String> command = new ArrayList<>(prefix);
		command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
				"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				FaultClient.class.getName(), config.toString()));
		try {
			return new ClientProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start(), console);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start client " + name, ex);
		}
	}

	private void read(Path console) {
		try (BufferedReader in = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				OutputStream log = Files.newOutputStream(console)) {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				if (line.startsWith(FaultClient.ANSWER)) {
					this.answers.add(line.substring(FaultClient.ANSWER.length()));
				}
				else {
					log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
					synchronized (this.recentConsole) {
						this.recentConsole.addLast(line);
						if (this.recentConsole.size() > 40) {
							this.recentConsole.removeFirst();
						}
					}
				}
			}
		}
		catch (IOException ex) {
			// the client is gone
		}
	}

	String name() {
		return this.name;
	}

	/**
	 * Waits until the client says it is ready, and learns its process id.
	 * @param timeout how long to wait
	 */
	void awaitReady(Duration timeout) {
		String ready = answer("READY", timeout);
		this.pid = Long.parseLong(ready.substring("READY ".length()).trim());
	}

	/**
	 * The client's {@link System#nanoTime()}, read between two readings of the suite's.
	 * @return {@code [before, client's, after]}
	 */
	long[] clock() {
		long before = System.nanoTime();
		send("CLOCK");
		String answer = answer("CLOCK", Duration.ofSeconds(30));
		long after = System.nanoTime();
		return new long[] { before, Long.parseLong(answer.substring("CLOCK ".length()).trim()), after };
	}

	/**
	 * How many fenced holds the client's workers are in now.
	 * @return the count
	 */
	int fencedHolds() {
		send("FENCED");
		return Integer.parseInt(answer("FENCED", Duration.ofSeconds(30)).substring("FENCED ".length()).trim());
	}

	void go() {
		send("GO");
	}

	/**
	 * Lets the workers finish and waits until they rest.
	 * @param timeout how long to wait
	 * @return the client's answer
	 */
	String quiesce(Duration timeout) {
		send("QUIESCE");
		String answer = answer("IDLE", timeout);
		this.grantsAtRest = Long.parseLong(answer.substring("IDLE ".length()).trim());
		return answer;
	}

	/**
	 * How many locks the client had been granted when it last came to rest.
	 * @return the count
	 */
	long grantsAtRest() {
		return this.grantsAtRest;
	}

	/**
	 * Stops the client and waits until it exits.
	 * @param timeout how long to wait
	 */
	void stop(Duration timeout) {
		send("STOP");
		answer("STOPPED", timeout);
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException(this.name + " did not exit after STOPPED");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while stopping " + this.name, ex);
		}
	}

	/** Stops the whole JVM (SIGSTOP), as a long GC pause or a frozen VM would. */
	void suspend() {
		signal("STOP");
		this.stopped = true;
	}

	/** Lets a stopped JVM go on (SIGCONT). */
	void resume() {
		signal("CONT");
		this.stopped = false;
	}

	boolean isSuspended() {
		return this.stopped;
	}

	private void signal(String signal) {
		Commands.run("kill", "-" + signal, Long.toString(this.pid));
	}

	private void send(String command) {
		this.commands.println(command);
		if (this.commands.checkError()) {
			throw new IllegalStateException(this.name + " does not take commands any more: " + recentConsole());
		}
	}

	private String answer(String expected, Duration timeout) {
		try {
			String answer = this.answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (answer == null || !answer.startsWith(expected)) {
				throw new IllegalStateException(this.name + " answered " + answer + " instead of " + expected
						+ (this.process.isAlive() ? "" : " (exited with " + this.process.exitValue() + ")")
						+ "; console: " + recentConsole());
			}
			return answer;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for " + this.name, ex);
		}
	}

	String recentConsole() {
		synchronized (this.recentConsole) {
			return String.join("\n", this.recentConsole);
		}
	}

	/** Kills the JVM if it still runs (continued first, so that it can die). */
	@Override
	public void close() {
		RUNNING.remove(this);
		if (this.process.isAlive()) {
			if (this.stopped) {
				resume();
			}
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
