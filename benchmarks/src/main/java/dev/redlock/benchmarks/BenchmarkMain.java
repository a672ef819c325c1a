package dev.redlock.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark in one go against the same five {@code redis-server} processes (started
 * here, on loopback, and handed to each forked JMH JVM), counts the commands per operation, and
 * writes the results, the report and the chart.
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar -quick -docs docs     # about five minutes on 2 cores
 * java -jar benchmarks/target/benchmarks.jar -docs docs            # the full run
 * </pre>
 *
 * Options:
 * <ul>
 * <li>{@code -quick}: 1 fork, 1 warm-up iteration of 2 s, 2 measured iterations of 1 s, and the
 * throughput scenario without the 3-node variants;</li>
 * <li>{@code -only REGEX}: the benchmark classes to run, such as {@code Uncontended|SlowNode};</li>
 * <li>{@code -impl ID,ID}: the implementations, such as {@code ours-5,raw-5};</li>
 * <li>{@code -prof NAME}: a JMH profiler such as {@code gc} or {@code jfr}, repeatable; {@code cpu} is
 * {@link CpuProfiler} (CPU time per operation of the client, the servers and the launcher);</li>
 * <li>{@code -out DIR}: where results go, by default {@code benchmarks/target/benchmark-results};</li>
 * <li>{@code -docs DIR}: also write the generated section of {@code DIR/benchmarks.md} and
 * {@code DIR/benchmarks.png};</li>
 * <li>{@code -no-commands}: skip counting commands;</li>
 * <li>{@code -lan}: an emulated LAN: every node behind a delay proxy that adds
 * {@link BenchEnvironment#LAN_DELAY} in each direction;</li>
 * <li>{@code -steady}: 6 warm-up iterations of 5 s for every benchmark instead of the mode's, so
 * that the JIT has compiled the longer paths (the engine's takes about 30 s on 2 cores); the
 * measured iterations stay the mode's;</li>
 * <li>{@code -warm-cpus}: keep every CPU busy with a lowest-priority spinner, so that idle virtual
 * CPUs do not add random wake-up latency;</li>
 * <li>{@code -report DIR}: only regenerate the report of a results directory;</li>
 * <li>{@code -jmh ARGS...}: the plain JMH command line.</li>
 * </ul>
 */
public final class BenchmarkMain {

	private static final List<Class<?>> SCENARIOS = List.of(UncontendedBenchmark.class, ThroughputBenchmark.class,
			ContendedBenchmark.class, SlowNodeBenchmark.class);

	private BenchmarkMain() {
	}

	/**
	 * Runs the benchmarks.
	 * @param args see the class description
	 * @throws Exception if JMH fails
	 */
	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("-jmh")) {
			org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
			return;
		}
		boolean quick = false;
		boolean countCommands = true;
		boolean warmCpus = false;
		boolean lan = false;
		boolean steady = false;
		String only = ".*";
		List<String> implementations = null;
		List<String> profilers = new ArrayList<>();
		Path out = Files.isDirectory(Path.of("benchmarks")) ? Path.of("benchmarks/target/benchmark-results")
				: Path.of("target/benchmark-results");
		Path docs = null;
		Path reportOnly = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "-quick" -> quick = true;
				case "-full" -> quick = false;
				case "-only" -> only = args[++i];
				case "-impl" -> implementations = List.of(args[++i].split(","));
				case "-prof" -> profilers.add(profiler(args[++i]));
				case "-out" -> out = Path.of(args[++i]);
				case "-docs" -> docs = Path.of(args[++i]);
				case "-no-commands" -> countCommands = false;
				case "-warm-cpus" -> warmCpus = true;
				case "-lan" -> lan = true;
				case "-steady" -> steady = true;
				case "-report" -> reportOnly = Path.of(args[++i]);
				default -> {
					System.err.println("Unknown option " + args[i] + "; see the javadoc of " + BenchmarkMain.class.getName());
					System.exit(2);
				}
			}
		}
		if (reportOnly != null) {
			Report.write(reportOnly, docs);
			return;
		}
		Files.createDirectories(out);
		String mode = quick ? "quick: 1 fork, warm-up 1 x 2 s, measurement 2 x 1 s per benchmark; throughput without "
				+ "the 3-node variants"
				: "full: 1 fork, warm-up 2 x 2 s, measurement 3 x 3 s per benchmark";
		if (warmCpus) {
			mode += "; CPUs kept awake by " + Runtime.getRuntime().availableProcessors() + " nice-19 spinners (-warm-cpus)";
		}
		if (steady) {
			mode += "; warm-up 6 x 5 s (-steady)";
		}
		if (lan) {
			mode += "; emulated LAN: every node behind a delay proxy, " + BenchEnvironment.LAN_DELAY.toNanos() / 1000
					+ " µs each way (-lan)";
		}
		long started = System.nanoTime();
		List<Process> spinners = warmCpus ? startSpinners() : List.of();
		try (BenchEnvironment environment = BenchEnvironment.start(BenchEnvironment.SLOW_NODE_DELAY,
				lan ? BenchEnvironment.LAN_DELAY : Duration.ZERO)) {
			System.out.println("Nodes: " + environment.nodes(BenchEnvironment.NODE_COUNT) + ", slow node (+"
					+ BenchEnvironment.SLOW_NODE_DELAY.toMillis() + " ms): " + environment.nodesWithOneSlow().get(4));
			List<RunResult> results = new ArrayList<>();
			Pattern filter = Pattern.compile(only);
			for (Class<?> scenario : SCENARIOS) {
				if (!filter.matcher(scenario.getSimpleName()).find()) {
					continue;
				}
				List<String> impls = implementationsOf(scenario, implementations);
				if (quick && implementations == null && scenario == ThroughputBenchmark.class) {
					// the quick run leaves the 3-node variants out of the 4 x thread-count matrix
					impls = impls.stream().filter((id) -> !id.endsWith("-3")).toList();
				}
				if (impls.isEmpty()) {
					continue;
				}
				ChainedOptionsBuilder options = new OptionsBuilder()
					.include("^" + Pattern.quote(scenario.getName()) + "\\.")
					.param("impl", impls.toArray(String[]::new))
					.jvmArgsAppend(forkArgs(environment, profilers).toArray(String[]::new))
					.shouldFailOnError(true);
				if (quick) {
					options.forks(1)
						.warmupIterations(1)
						.warmupTime(TimeValue.seconds(2))
						.measurementIterations(2)
						.measurementTime(TimeValue.seconds(1));
				}
				if (steady) {
					options.warmupIterations(6).warmupTime(TimeValue.seconds(5));
				}
				for (String profiler : profilers) {
					options.addProfiler(profiler);
				}
				results.addAll(new Runner(options.build()).run());
			}
			Path json = out.resolve("results.json");
			try (PrintStream stream = new PrintStream(Files.newOutputStream(json), true, StandardCharsets.UTF_8)) {
				ResultFormatFactory.getInstance(ResultFormatType.JSON, stream).writeOut(results);
			}
			if (countCommands) {
				System.out.println("Counting commands per operation ...");
				List<CommandCounter.Count> counts = new ArrayList<>();
				for (Implementation implementation : Implementation.values()) {
					if (implementations == null || implementations.contains(implementation.id())) {
						counts.add(CommandCounter.count(environment, implementation, CommandCounter.OPERATIONS));
					}
				}
				CommandCounter.write(counts, out.resolve("commands.json"));
			}
			Report.writeMachine(Report.describeMachine(mode), out.resolve("machine.properties"));
		}
		catch (RunnerException ex) {
			throw new IllegalStateException("JMH failed", ex);
		}
		finally {
			spinners.forEach(Process::destroyForcibly);
		}
		Report.write(out, docs);
		System.out.printf(Locale.ROOT, "%nDone in %.1f min. Results: %s%n", (System.nanoTime() - started) / 60e9,
				out.toAbsolutePath());
		System.out.println(Files.readString(out.resolve("benchmarks.md")));
		System.exit(0);
	}

	/**
	 * The forks' JVM arguments: the environment's, and with {@link CpuProfiler} every JIT compiler
	 * thread kept alive, so that none takes its CPU time away when it ends.
	 */
	private static List<String> forkArgs(BenchEnvironment environment, List<String> profilers) {
		List<String> args = new ArrayList<>(environment.jvmArgs());
		if (profilers.contains(CpuProfiler.class.getName())) {
			args.add("-XX:-UseDynamicNumberOfCompilerThreads");
		}
		return args;
	}

	/** A JMH profiler's name, with {@code cpu} for {@link CpuProfiler}. */
	private static String profiler(String name) {
		return "cpu".equals(name) ? CpuProfiler.class.getName() : name;
	}

	/**
	 * Starts one lowest-priority busy loop per processor. On virtual machines an idle virtual CPU
	 * halts, and waking it costs tens of microseconds, at random; keeping every CPU busy with work
	 * that yields to anything else makes round-trip latencies stable. The same for every
	 * implementation.
	 */
	private static List<Process> startSpinners() throws IOException {
		List<Process> spinners = new ArrayList<>();
		for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
			Process spinner = new ProcessBuilder("nice", "-n", "19", "sh", "-c", "while :; do :; done").start();
			spinners.add(spinner);
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> spinners.forEach(Process::destroyForcibly)));
		return spinners;
	}

	/** The implementations a scenario runs: its {@code impl} parameter's values, filtered. */
	private static List<String> implementationsOf(Class<?> scenario, Collection<String> wanted) {
		try {
			String[] declared = scenario.getField("impl").getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
			return Arrays.stream(declared).filter((id) -> wanted == null || wanted.contains(id)).toList();
		}
		catch (NoSuchFieldException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
