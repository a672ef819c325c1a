package dev.redlock.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.redlock.test.RespConnection;

/**
 * Counts the Redis commands one uncontended lock-and-unlock costs each implementation, outside
 * JMH: the {@code INFO commandstats} deltas over all nodes (every command Redis executed,
 * including those run inside Lua scripts) and, from {@code MONITOR}, the commands clients sent
 * (network round trips), for a fixed number of operations after a warm-up.
 *
 * <p>Commands that are not part of locking are left out of the per-operation totals and listed
 * apart: {@code ping} (Redisson's connection keep-alive), connection set-up ({@code client setname},
 * {@code hello}, {@code auth}, {@code select}, when a pool opens a connection during the count) and
 * the counter's own {@code info} and {@code monitor}.
 */
public final class CommandCounter {

	/** Operations counted per implementation. */
	static final int OPERATIONS = 500;

	private static final Set<String> NOT_LOCKING = Set.of("ping", "info", "monitor", "client", "client|setname",
			"client|setinfo", "hello", "auth", "select");

	private CommandCounter() {
	}

	/**
	 * What one implementation sent and executed per operation.
	 * @param implementation the implementation's id
	 * @param nodes how many nodes it locked on
	 * @param operations how many lock-and-unlock operations were counted
	 * @param sent commands clients sent, per operation, by command name
	 * @param executed commands Redis executed (including inside scripts), per operation, by name
	 */
	public record Count(String implementation, int nodes, int operations, Map<String, Double> sent,
			Map<String, Double> executed) {

		/**
		 * Commands sent per operation, without the ones that are not part of locking.
		 * @return the total
		 */
		public double sentPerOperation() {
			return total(this.sent);
		}

		/**
		 * Commands executed per operation, without the ones that are not part of locking.
		 * @return the total
		 */
		public double executedPerOperation() {
			return total(this.executed);
		}

		private static double total(Map<String, Double> counts) {
			double total = 0;
			for (Map.Entry<String, Double> entry : counts.entrySet()) {
				if (!NOT_LOCKING.contains(entry.getKey())) {
					total += entry.getValue();
				}
			}
			return total;
		}

	}

	/**
	 * Counts every implementation in turn on the environment's fast nodes.
	 * @param environment the nodes
	 * @param operations operations per implementation
	 * @return one count per implementation
	 */
	public static List<Count> countAll(BenchEnvironment environment, int operations) {
		List<Count> counts = new ArrayList<>();
		for (Implementation implementation : Implementation.values()) {
			counts.add(count(environment, implementation, operations));
		}
		return counts;
	}

	/**
	 * Counts one implementation.
	 * @param environment the nodes
	 * @param implementation the implementation
	 * @param operations how many operations to count
	 * @return the count
	 */
	public static Count count(BenchEnvironment environment, Implementation implementation, int operations) {
		environment.flushAll();
		List<Integer> ports = environment.ports();
		try (Locker locker = implementation.create(environment.nodes(implementation.nodes()), false)) {
			String key = "count:" + implementation.id();
			for (int i = 0; i < 20; i++) {
				locker.withLock(key, UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING);
			}
			settle();
			List<Map<String, Long>> before = new ArrayList<>();
			for (int port : ports) {
				before.add(commandStats(port));
			}
			Map<String, LongAdder> sent = new ConcurrentHashMap<>();
			List<Monitor> monitors = new ArrayList<>();
			for (int port : ports) {
				monitors.add(new Monitor(port, sent));
			}
			int done = 0;
			for (int i = 0; i < operations; i++) {
				if (locker.withLock(key, UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING)) {
					done++;
				}
			}
			settle();
			monitors.forEach(Monitor::close);
			Map<String, Long> executed = new TreeMap<>();
			for (int i = 0; i < ports.size(); i++) {
				Map<String, Long> after = commandStats(ports.get(i));
				for (Map.Entry<String, Long> entry : after.entrySet()) {
					long delta = entry.getValue() - before.get(i).getOrDefault(entry.getKey(), 0L);
					if (delta > 0) {
						executed.merge(entry.getKey(), delta, Long::sum);
					}
				}
			}
			executed.remove("info");
			executed.remove("monitor");
			Map<String, Long> sentTotals = new TreeMap<>();
			sent.forEach((command, count) -> sentTotals.put(command, count.sum()));
			return new Count(implementation.id(), implementation.nodes(), done, perOperation(sentTotals, done),
					perOperation(executed, done));
		}
	}

	private static Map<String, Double> perOperation(Map<String, Long> totals, int operations) {
		Map<String, Double> result = new LinkedHashMap<>();
		totals.forEach((command, count) -> result.put(command, (double) count / Math.max(1, operations)));
		return result;
	}

	/** Lets replies still in flight (released by stragglers) arrive. */
	private static void settle() {
		try {
			Thread.sleep(300);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * {@code INFO commandstats} of one node: calls by command name (subcommands as
	 * {@code client|setname}).
	 */
	static Map<String, Long> commandStats(int port) {
		String info = (String) BenchEnvironment.call(port, "INFO", "commandstats");
		Map<String, Long> calls = new TreeMap<>();
		for (String line : info.split("\r?\n")) {
			if (line.startsWith("cmdstat_")) {
				int colon = line.indexOf(':');
				String command = line.substring("cmdstat_".length(), colon);
				for (String field : line.substring(colon + 1).split(",")) {
					if (field.startsWith("calls=")) {
						calls.put(command, Long.parseLong(field.substring("calls=".length())));
					}
				}
			}
		}
		return calls;
	}

	/**
	 * Writes counts as JSON.
	 * @param counts the counts
	 * @param file where to write
	 */
	public static void write(List<Count> counts, Path file) {
		StringBuilder json = new StringBuilder("[\n");
		for (int i = 0; i < counts.size(); i++) {
			Count count = counts.get(i);
			json.append("  {\"implementation\": ").append(MiniJson.quote(count.implementation()))
				.append(", \"nodes\": ").append(count.nodes())
				.append(", \"operations\": ").append(count.operations())
				.append(", \"sent\": ").append(toJson(count.sent()))
				.append(", \"executed\": ").append(toJson(count.executed()))
				.append('}').append((i < counts.size() - 1) ? ",\n" : "\n");
		}
		json.append("]\n");
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.writeString(file, json, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String toJson(Map<String, Double> counts) {
		StringBuilder json = new StringBuilder("{");
		counts.forEach((command, count) -> json.append((json.length() > 1) ? ", " : "").append(MiniJson.quote(command))
			.append(": ").append(String.format(Locale.ROOT, "%.4f", count)));
		return json.append('}').toString();
	}

	/**
	 * Reads counts written by {@link #write}.
	 * @param file the file
	 * @return the counts
	 */
	@SuppressWarnings("unchecked")
	public static List<Count> read(Path file) {
		try {
			List<Object> items = (List<Object>) MiniJson.parse(Files.readString(file, StandardCharsets.UTF_8));
			List<Count> counts = new ArrayList<>();
			for (Object item : items) {
				Map<String, Object> map = (Map<String, Object>) item;
				counts.add(new Count((String) map.get("implementation"), (int) MiniJson.number(map.get("nodes")),
						(int) MiniJson.number(map.get("operations")), numbers(map.get("sent")),
						numbers(map.get("executed"))));
			}
			return counts;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Double> numbers(Object value) {
		Map<String, Double> result = new LinkedHashMap<>();
		((Map<String, Object>) value).forEach((key, number) -> result.put(key, MiniJson.number(number)));
		return result;
	}

	/**
	 * A {@code MONITOR} connection that counts the commands clients send, by name, and leaves out
	 * those Lua scripts run ({@code [0 lua]}).
	 */
	private static final class Monitor implements AutoCloseable {

		private final RespConnection connection;

		private final Thread reader;

		private volatile boolean closed;

		Monitor(int port, Map<String, LongAdder> sent) {
			try {
				this.connection = RespConnection.open("127.0.0.1", port, 0, null);
				this.connection.call("MONITOR");
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot MONITOR redis on port " + port, ex);
			}
			this.reader = new Thread(() -> {
				while (!this.closed) {
					Object line;
					try {
						line = this.connection.read();
					}
					catch (IOException | RuntimeException ex) {
						return;
					}
					if (line instanceof String text) {
						String command = commandOf(text);
						if (command != null) {
							sent.computeIfAbsent(command, (name) -> new LongAdder()).increment();
						}
					}
				}
			}, "monitor-" + port);
			this.reader.setDaemon(true);
			this.reader.start();
		}

		/**
		 * The lower-case command of a client's {@code MONITOR} line, or {@code null} for a line of
		 * a Lua script.
		 */
		static String commandOf(String line) {
			int open = line.indexOf('[');
			int close = line.indexOf(']', open);
			if (open < 0 || close < 0 || line.substring(open, close).contains(" lua")) {
				return null;
			}
			int quote = line.indexOf('"', close);
			int end = line.indexOf('"', quote + 1);
			if (quote < 0 || end < 0) {
				return null;
			}
			return line.substring(quote + 1, end).toLowerCase(Locale.ROOT);
		}

		@Override
		public void close() {
			this.closed = true;
			this.connection.close();
			try {
				this.reader.join(Duration.ofSeconds(2).toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
