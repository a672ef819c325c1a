package dev.redlock.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, from Linux's {@code /proc}: {@code ·cpu.client} is the benchmark JVM
 * (the implementation under test, its threads, the JIT and the GC), {@code ·cpu.jit} the part of
 * it spent by the JIT compiler's threads (code still being compiled: a short warm-up shows it),
 * {@code ·cpu.redis} the five
 * {@code redis-server}s together (found by their {@code INFO server} process id) and
 * {@code ·cpu.launcher} the launcher JVM, where the emulated LAN's delay proxies run. On a machine
 * whose cores are all busy, throughput is the inverse of their sum, so this says where a
 * difference comes from. Clock ticks are 10 ms: iterations of a second or more give a few percent.
 * Elsewhere than on Linux it reports nothing. {@code -prof cpu} in {@link BenchmarkMain}.
 */
public final class CpuProfiler implements InternalProfiler {

	private static final Pattern PROCESS_ID = Pattern.compile("process_id:(\\d+)");

	private static final double MICROS_PER_TICK = 10_000;

	private final List<Long> redisPids = new ArrayList<>();

	private long launcherPid;

	private long[] before;

	@Override
	public String getDescription() {
		return "CPU time per operation of this JVM, the redis-servers and the launcher (Linux /proc)";
	}

	@Override
	public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
		if (this.redisPids.isEmpty()) {
			for (int port : BenchEnvironment.shared().ports()) {
				Matcher matcher = PROCESS_ID.matcher(String.valueOf(BenchEnvironment.call(port, "INFO", "server")));
				if (matcher.find()) {
					this.redisPids.add(Long.parseLong(matcher.group(1)));
				}
			}
			this.launcherPid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
		}
		this.before = ticks();
	}

	@Override
	public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
			IterationResult result) {
		long[] after = ticks();
		long ops = result.getMetadata().getAllOps();
		if (this.before == null || after == null || ops <= 0) {
			return List.of();
		}
		return List.of(perOp("·cpu.client", after[0] - this.before[0], ops),
				perOp("·cpu.jit", Math.max(0, after[3] - this.before[3]), ops),
				perOp("·cpu.redis", after[1] - this.before[1], ops),
				perOp("·cpu.launcher", after[2] - this.before[2], ops));
	}

	private static ScalarResult perOp(String label, long ticks, long ops) {
		return new ScalarResult(label, ticks * MICROS_PER_TICK / ops, "µs/op", AggregationPolicy.AVG);
	}

	/**
	 * Ticks used so far by this JVM, the redis-servers, the launcher and this JVM's JIT compiler
	 * threads; {@code null} without /proc.
	 */
	private long[] ticks() {
		long self = ticksOf(ProcessHandle.current().pid());
		if (self < 0) {
			return null;
		}
		long redis = 0;
		for (long pid : this.redisPids) {
			redis += Math.max(0, ticksOf(pid));
		}
		return new long[] { self, redis, Math.max(0, ticksOf(this.launcherPid)), jitTicks() };
	}

	/** Ticks used so far by the JIT compiler threads that are alive (the fork keeps them all alive). */
	private static long jitTicks() {
		long ticks = 0;
		try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
			for (Path thread : threads) {
				String name = Files.readString(thread.resolve("comm"), StandardCharsets.US_ASCII);
				if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
					ticks += Math.max(0, ticksOf(thread.resolve("stat")));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// a thread ended while it was read: count the others
		}
		return ticks;
	}

	/** A process's user + system time in clock ticks, or -1 if it cannot be read. */
	static long ticksOf(long pid) {
		return (pid > 0) ? ticksOf(Path.of("/proc", Long.toString(pid), "stat")) : -1;
	}

	/** The user + system time in clock ticks of a process's or thread's {@code stat} file, or -1. */
	private static long ticksOf(Path statFile) {
		try {
			String stat = Files.readString(statFile, StandardCharsets.US_ASCII);
			// the fields after the command name, which is in parentheses and may hold spaces
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

}
