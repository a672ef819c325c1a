package dev.redlock.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One real {@code redis-server} process on a free loopback port, without persistence, that tests
 * can kill, restart on the same port and pause. Every process still running when the JVM exits is
 * killed.
 */
public final class RedisServerProcess implements AutoCloseable {

	/** The address every fixture server binds to. */
	public static final String HOST = "127.0.0.1";

	private final RedisBinary binary;

	private final List<String> extraArgs;

	private final List<String> bindAddresses;

	private final Map<String, String> environment;

	private final String sentinelConfig;

	private final Path directory;

	private final String password;

	private final ServerLauncher launcher = new ServerLauncher();

	private volatile int port;

	private volatile Process process;

	private RedisServerProcess(RedisBinary binary, List<String> extraArgs) {
		this(binary, extraArgs, null, List.of(HOST), Map.of());
	}

	RedisServerProcess(RedisBinary binary, List<String> extraArgs, String sentinelConfig,
			List<String> bindAddresses, Map<String, String> environment) {
		this.binary = binary;
		this.sentinelConfig = sentinelConfig;
		this.extraArgs = List.copyOf(extraArgs);
		this.bindAddresses = List.copyOf(bindAddresses);
		this.environment = Map.copyOf(environment);
		int requirepass = this.extraArgs.indexOf("--requirepass");
		this.password = (requirepass >= 0 && requirepass + 1 < this.extraArgs.size())
				? this.extraArgs.get(requirepass + 1) : null;
		try {
			this.directory = Files.createTempDirectory("redlock-redis-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Starts a server on a free port.
	 * @param extraArgs further {@code redis-server} arguments, such as {@code --requirepass s3cret}
	 * @return the running server
	 */
	public static RedisServerProcess start(String... extraArgs) {
		return start(new RedisServerProcess(RedisBinary.locate(), List.of(extraArgs)));
	}

	/**
	 * Starts a Sentinel on a free port.
	 * @param config the Sentinel configuration lines, such as
	 * {@code sentinel monitor mymaster 127.0.0.1 6379 2}; the port, bind address and directory are
	 * added
	 * @return the running Sentinel
	 */
	public static RedisServerProcess startSentinel(String config) {
		return start(new RedisServerProcess(RedisBinary.locate(), List.of(), config, List.of(HOST), Map.of()));
	}

	/**
	 * Starts describing a server with another binary, further listening addresses or an
	 * environment of its own (such as a fake clock); {@link #start(String...)} covers the usual
	 * case.
	 * @return a builder with the defaults of {@link #start(String...)}
	 */
	public static RedisServerBuilder builder() {
		return new RedisServerBuilder();
	}

	static RedisServerProcess start(RedisServerProcess server) {
		for (int attempt = 1;; attempt++) {
			server.port = freePort();
			try {
				server.launch();
				return server;
			}
			catch (IllegalStateException ex) {
				if (attempt >= 5 || !server.launcher.outputContains("address already in use")) {
					throw ex;
				}
			}
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port", ex);
		}
	}

	private List<String> command() {
		if (this.sentinelConfig != null) {
			Path config = this.directory.resolve("sentinel.conf");
			try {
				Files.writeString(config, "port " + this.port + "\nbind " + HOST + "\ndir " + this.directory + "\n"
						+ "protected-mode no\n" + this.sentinelConfig + "\n");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			return List.of(this.binary.path().toString(), config.toString(), "--sentinel");
		}
		List<String> command = new ArrayList<>(List.of(this.binary.path().toString(), "--port",
				Integer.toString(this.port), "--bind"));
		command.addAll(this.bindAddresses);
		command.addAll(List.of("--save", "", "--appendonly", "no", "--daemonize", "no",
				"--protected-mode", "no", "--dir", this.directory.toString()));
		if (this.binary.majorVersion() >= 7) {
			command.addAll(List.of("--enable-debug-command", "local"));
		}
		command.addAll(this.extraArgs);
		return command;
	}

	private void launch() {
		this.process = this.launcher.launch(command(), this.environment, "redis-server " + this.binary.version(),
				this.port);
	}

	/**
	 * The port.
	 * @return the port the server listens on (the same after a restart)
	 */
	public int port() {
		return this.port;
	}

	/**
	 * The node URI, for {@code redlock.nodes}.
	 * @return {@code redis://127.0.0.1:port}
	 */
	public String uri() {
		return "redis://" + HOST + ":" + this.port;
	}

	/**
	 * The server's version.
	 * @return the version, such as {@code 7.0.15}
	 */
	public String version() {
		return this.binary.version();
	}

	/**
	 * The operating-system process id, for tools that act on the process itself (such as a CPU
	 * limit).
	 * @return the id of the running process
	 * @throws IllegalStateException if the server does not run
	 */
	public long pid() {
		Process current = this.process;
		if (current == null || !current.isAlive()) {
			throw new IllegalStateException("Redis on port " + this.port + " does not run");
		}
		return current.pid();
	}

	/**
	 * Whether the process runs.
	 * @return {@code true} while the process is alive
	 */
	public boolean isRunning() {
		Process current = this.process;
		return current != null && current.isAlive();
	}

	/**
	 * Kills the process at once (SIGKILL), as a crash would; its data is lost.
	 */
	public void kill() {
		Process current = this.process;
		if (current == null) {
			return;
		}
		ServerLauncher.kill(current);
		this.process = null;
	}

	/**
	 * Starts the server again on the same port, empty. Kills it first if it runs.
	 */
	public void restart() {
		kill();
		launch();
	}

	/**
	 * Blocks the whole server for a while with {@code DEBUG SLEEP}, as a long pause (GC, swap,
	 * a stopped VM) would. Returns as soon as the server has stopped answering (it answers nothing
	 * until the time is over), or once it has answered the {@code DEBUG SLEEP} after sleeping (a
	 * short sleep on a loaded machine may be over before a {@code PING} sees it).
	 * @param duration how long the server sleeps
	 * @throws IllegalStateException if the server refused the command or did not sleep
	 */
	public void pause(Duration duration) {
		DebugSleep.pause(this.port, this.password, duration, this.launcher::recentOutput);
	}

	/**
	 * Runs one command on a fresh connection, authenticated with the server's
	 * {@code --requirepass} when it has one.
	 * @param command the command and its arguments, such as {@code "GET", "k"}
	 * @return the reply: a String, a Long, a List or {@code null}
	 * @throws UncheckedIOException on I/O errors and error replies
	 */
	public Object call(String... command) {
		try {
			return RespConnection.call(HOST, this.port, 5000, this.password, command);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis on port " + this.port + " failed " + command[0], ex);
		}
	}

	/**
	 * The keys that match a pattern.
	 * @param pattern a {@code KEYS} pattern, such as {@code redlock:*}
	 * @return the keys
	 */
	@SuppressWarnings("unchecked")
	public List<String> keys(String pattern) {
		Object reply = call("KEYS", pattern);
		return (reply instanceof List<?> list) ? (List<String>) list : Collections.emptyList();
	}

	/**
	 * Deletes every key.
	 */
	public void flushAll() {
		call("FLUSHALL");
	}

	/**
	 * Stops the server for good.
	 */
	@Override
	public void close() {
		kill();
	}

	@Override
	public String toString() {
		return "redis-server " + this.binary.version() + " on " + HOST + ":" + this.port
				+ (isRunning() ? "" : " (stopped)");
	}

}
