package dev.redlock.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openjdk.jmh.infra.Control;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the benchmarks honest in CI within seconds: every benchmark body runs a few times against
 * real {@code redis-server} processes, every implementation takes, holds exclusively (against a
 * second thread, and among four contending clients) and releases a lock, no body lets two holders
 * in at once, the command counter counts, and one tiny in-process JMH run feeds the report and the
 * chart. Timing is not checked here.
 */
class BenchmarksSmokeTests {

	private static BenchEnvironment environment;

	@BeforeAll
	static void startNodes() {
		environment = BenchEnvironment.start(Duration.ofMillis(5));
		System.setProperty(BenchEnvironment.NODES_PROPERTY,
				String.join(",", environment.nodes(BenchEnvironment.NODE_COUNT)));
		System.setProperty(BenchEnvironment.SLOW_NODE_PROPERTY, environment.nodesWithOneSlow().get(4));
	}

	@AfterAll
	static void stopNodes() {
		environment.close();
	}

	@ParameterizedTest
	@EnumSource(Implementation.class)
	void everyImplementationLocksExclusivelyAndUnlocks(Implementation implementation) {
		try (Locker locker = implementation.create(environment.nodes(implementation.nodes()), false)) {
			String key = "smoke:" + implementation.id();
			AtomicReference<Boolean> othersGotIt = new AtomicReference<>();
			boolean locked = locker.withLock(key, Duration.ofSeconds(1), () -> othersGotIt.set(CompletableFuture
				.supplyAsync(() -> locker.withLock(key, Duration.ZERO, () -> {
				}))
				.join()));
			assertThat(locked).isTrue();
			assertThat(othersGotIt.get()).as("another thread took the held lock").isFalse();
			for (int i = 0; i < 3; i++) {
				assertThat(locker.withLock(key, Duration.ofSeconds(1), () -> {
				})).as("lock again after release").isTrue();
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Implementation.class)
	void everyImplementationShouldExcludeContendingClients(Implementation implementation) throws Exception {
		try (Locker locker = implementation.create(environment.nodes(implementation.nodes()), true)) {
			String key = "exclusive:" + implementation.id();
			AtomicInteger inside = new AtomicInteger();
			AtomicInteger overlaps = new AtomicInteger();
			AtomicInteger acquired = new AtomicInteger();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				threads.add(new Thread(() -> {
					for (int i = 0; i < 10; i++) {
						boolean locked = locker.withLock(key, Duration.ofSeconds(10), () -> {
							if (inside.incrementAndGet() != 1) {
								overlaps.incrementAndGet();
							}
							// a millisecond inside, long enough for a second holder to show
							LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
							inside.decrementAndGet();
						});
						if (locked) {
							acquired.incrementAndGet();
						}
					}
				}));
			}
			threads.forEach(Thread::start);
			for (Thread thread : threads) {
				thread.join(60_000);
			}
			if (implementation.id().startsWith("raw")) {
				// the floors try once and do not wait
				assertThat(acquired.get()).as("locks taken").isPositive();
			}
			else {
				assertThat(acquired).as("locks taken").hasValue(40);
			}
			assertThat(overlaps).as("two holders inside at once").hasValue(0);
		}
	}

	@Test
	void uncontendedAndThroughputBodiesLockAndUnlock() {
		for (String impl : List.of("raw-1", "ours-3", "redisson-1", "spring-1")) {
			UncontendedBenchmark uncontended = new UncontendedBenchmark();
			uncontended.impl = impl;
			uncontended.connect();
			try {
				for (int i = 0; i < 3; i++) {
					assertThat(uncontended.lockAndUnlock(key(i))).as(impl).isTrue();
				}
			}
			finally {
				uncontended.close();
			}
		}
		ThroughputBenchmark throughput = new ThroughputBenchmark();
		throughput.impl = "raw-5";
		throughput.connect();
		try {
			assertThat(throughput.threads1(key(0))).isTrue();
			assertThat(throughput.threads2(key(1))).isTrue();
			assertThat(throughput.threads4(key(2))).isTrue();
			assertThat(throughput.threads8(key(3))).isTrue();
		}
		finally {
			throughput.close();
		}
	}

	@Test
	void hotKeyBodyCountsAcquisitionsAndHandoffs() throws Exception {
		for (String impl : List.of("ours-1", "redisson-1", "spring-1")) {
			ContendedBenchmark benchmark = new ContendedBenchmark();
			benchmark.impl = impl;
			benchmark.connect();
			try {
				Control measuring = new Control();
				measuring.startMeasurement = true;
				List<ContendedBenchmark.Counters> counters = new ArrayList<>();
				List<Thread> threads = new ArrayList<>();
				for (int t = 0; t < 2; t++) {
					ContendedBenchmark.Counters counter = new ContendedBenchmark.Counters();
					counter.thread = t;
					counters.add(counter);
					threads.add(new Thread(() -> {
						for (int i = 0; i < 3; i++) {
							benchmark.hotKey(counter, measuring);
						}
					}));
				}
				threads.forEach(Thread::start);
				for (Thread thread : threads) {
					thread.join(20_000);
				}
				long acquired = counters.stream().mapToLong((c) -> c.acquired).sum();
				long handoffs = counters.stream().mapToLong((c) -> c.handoffs).sum();
				assertThat(acquired).as(impl).isEqualTo(6);
				assertThat(handoffs).as(impl).isBetween(1L, 6L);
				assertThat(benchmark.overlaps()).as("%s: two holders of the hot key at once", impl).isZero();
			}
			finally {
				benchmark.close();
			}
		}
	}

	@Test
	void slowNodeBodiesLockThroughTheProxyAndWithout() {
		for (String impl : List.of("raw-5", "ours-5", "redisson-redlock-5")) {
			for (boolean slow : new boolean[] { true, false }) {
				SlowNodeBenchmark benchmark = new SlowNodeBenchmark();
				benchmark.impl = impl;
				benchmark.connect(slow);
				try {
					for (int i = 0; i < 2; i++) {
						assertThat(slow ? benchmark.oneSlowNode(key(i)) : benchmark.allFast(key(i))).as(impl).isTrue();
					}
				}
				finally {
					benchmark.close();
				}
			}
		}
	}

	@Test
	void clusterThroughputBodyLocksOnAMasterAndOnAClusterWithCappedServers() throws Exception {
		// the CPU cap needs a writable cgroup (root); without one only the uncapped variant runs
		String cap = (CpuLimit.unavailableReason() == null) ? "0.5" : "unlimited";
		for (String member : List.of("master", "cluster-3")) {
			ClusterThroughputBenchmark benchmark = new ClusterThroughputBenchmark();
			benchmark.member = member;
			benchmark.serverCpu = cap;
			benchmark.start();
			try {
				ClusterThroughputBenchmark.Keys keys = new ClusterThroughputBenchmark.Keys();
				keys.name(0);
				for (int i = 0; i < 20; i++) {
					assertThat(benchmark.lockUnlock(keys)).as("%s lock %d", member, i).isTrue();
				}
				if (!cap.equals("unlimited")) {
					assertThat(benchmark.limits()).as("one limit per server").hasSize(member.equals("master") ? 1 : 3)
						.allSatisfy((limit) -> assertThat(limit.contains(limit.pid())).isTrue());
				}
			}
			finally {
				benchmark.stop();
			}
		}
	}

	@Test
	void commandCounterSeesTwoCommandsPerNodeForThisLibrary() {
		CommandCounter.Count count = CommandCounter.count(environment, Implementation.OURS_3, 20);
		assertThat(count.operations()).isEqualTo(20);
		// the lock itself is at most 2N commands: a SET per node, and a release where the SET may have
		// set the key (not where a node refused it because the previous release had not reached it
		// yet); opening a pooled connection adds a CLIENT SETNAME now and then
		assertThat(count.sentPerOperation()).isBetween(5.5, 6.5);
		assertThat(count.sent()).containsEntry("set", 3.0);
		assertThat(count.sent().get("evalsha")).isBetween(2.5, 3.0);
		// 5 per node when every release finds its key (GET, DEL and the release notice's PUBLISH run
		// inside the script); a node whose release is not waited for may still hold the previous lock
		// when the next one is tried
		assertThat(count.executedPerOperation()).isGreaterThan(12.0).isLessThanOrEqualTo(15.5);
	}

	@Test
	void tinyJmhRunFeedsTheReportAndTheChart(@TempDir Path results) throws Exception {
		// a seconds-long in-process run; it must not wait for another JMH run's machine-wide lock
		System.setProperty("jmh.ignoreLock", "true");
		Collection<RunResult> run = new Runner(new OptionsBuilder()
			.include("^" + UncontendedBenchmark.class.getName().replace(".", "\\.") + "\\.")
			.param("impl", "raw-1", "ours-1")
			.forks(0)
			.warmupIterations(0)
			.measurementIterations(1)
			.measurementTime(TimeValue.milliseconds(300))
			.shouldFailOnError(true)
			.build()).run();
		try (var stream = new java.io.PrintStream(Files.newOutputStream(results.resolve("results.json")), true,
				java.nio.charset.StandardCharsets.UTF_8)) {
			ResultFormatFactory.getInstance(ResultFormatType.JSON, stream).writeOut(run);
		}
		CommandCounter.write(List.of(CommandCounter.count(environment, Implementation.OURS_1, 10)),
				results.resolve("commands.json"));
		Report.writeMachine(Report.describeMachine("smoke"), results.resolve("machine.properties"));
		Path docs = results.resolve("docs");
		Files.createDirectories(docs);
		Files.writeString(docs.resolve("benchmarks.md"),
				"# Benchmarks\n\nprose before\n\n" + Report.START + "\nold\n" + Report.END + "\n\nprose after\n");

		Report.write(results, docs);

		String page = Files.readString(docs.resolve("benchmarks.md"));
		assertThat(page).contains("prose before", "prose after", "| `raw-1` | 1 |", "| `ours-1` | 1 |",
				"2N Redis commands").doesNotContain("\nold\n");
		assertThat(JmhResults.read(results.resolve("results.json")).find("UncontendedBenchmark", "lockAndUnlock",
				"ours-1")).hasValueSatisfying((r) -> assertThat(r.percentile(50)).isPositive());
		assertThat(Files.size(docs.resolve("benchmarks.png"))).isGreaterThan(10_000);
		assertThat(javax.imageio.ImageIO.read(docs.resolve("benchmarks.png").toFile()).getWidth()).isEqualTo(1600);
	}

	private static ThreadKey key(int index) {
		ThreadKey key = new ThreadKey();
		key.key = "smoke-key:" + index;
		return key;
	}

}
