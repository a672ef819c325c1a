package dev.redlock.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import dev.redlock.test.RedisClusterGroup;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServers;

/**
 * Issue 9's scaling question: lock throughput on distinct keys (32 threads, as a service's request
 * threads would call, 64 keys each, so keys spread over hash slots) of our engine with one quorum member that is a single standalone master,
 * against one member that is a 3-shard Redis Cluster. The servers are started by the benchmark
 * itself; run it alone with
 * {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main ClusterThroughputBenchmark}.
 * <p>
 * On a small machine the client JVM, not Redis, is the bottleneck, and shards only add processes
 * competing for the same CPUs. {@link #serverCpu} therefore also runs both members with every
 * {@code redis-server} capped at a share of one CPU ({@link CpuLimit}), as when each server has a
 * host of its own and is the busy part: what sharding is for. At the end of a trial, each server's
 * CPU time per lock (from {@code INFO cpu}) is printed, which shows how the cluster spread the load.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class ClusterThroughputBenchmark {

	static final int THREADS = 32;

	/** {@code master}: one standalone master; {@code cluster-3}: a Redis Cluster of 3 masters. */
	@Param({ "master", "cluster-3" })
	public String member;

	/**
	 * {@code unlimited}, or the share of one CPU every {@code redis-server} may use, such as
	 * {@code 0.1}; needs a writable cgroup CPU controller (see {@link CpuLimit}).
	 */
	@Param({ "unlimited", "0.1" })
	public String serverCpu;

	private AutoCloseable servers;

	private List<RedisServerProcess> processes;

	private final List<CpuLimit> limits = new ArrayList<>();

	private final LongAdder locks = new LongAdder();

	private final LongAdder failures = new LongAdder();

	private double[] cpuAtStart;

	private Locker locker;

	/**
	 * Starts the servers and connects the engine.
	 */
	@Setup(Level.Trial)
	public void start() {
		String uri;
		if (this.member.equals("master")) {
			RedisServers master = RedisServers.start(1);
			this.servers = master;
			this.processes = master.all();
			uri = master.uris().get(0);
		}
		else {
			RedisClusterGroup cluster = RedisClusterGroup.start(3);
			this.servers = cluster;
			this.processes = cluster.servers().all();
			uri = cluster.uri();
		}
		if (!this.serverCpu.equals("unlimited")) {
			double share = Double.parseDouble(this.serverCpu);
			for (RedisServerProcess process : this.processes) {
				this.limits.add(CpuLimit.apply(process.pid(), share));
			}
		}
		this.cpuAtStart = cpuSeconds();
		// a connection per thread (per shard on the cluster), so no caller waits for the pool
		this.locker = new TemplateLocker(List.of(uri), THREADS);
	}

	List<CpuLimit> limits() {
		return this.limits;
	}

	private double[] cpuSeconds() {
		double[] seconds = new double[this.processes.size()];
		for (int i = 0; i < seconds.length; i++) {
			String info = String.valueOf(this.processes.get(i).call("INFO", "cpu"));
			for (String line : info.split("\r?\n")) {
				if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
					seconds[i] += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
				}
			}
		}
		return seconds;
	}

	/**
	 * Stops everything.
	 * @throws Exception if closing fails
	 */
	@TearDown(Level.Trial)
	public void stop() throws Exception {
		this.locker.close();
		double[] cpuAtEnd = cpuSeconds();
		StringBuilder report = new StringBuilder("INFO: ").append(this.member)
			.append(", server CPU ")
			.append(this.serverCpu)
			.append(", ")
			.append(this.locks.sum())
			.append(" locks (")
			.append(this.failures.sum())
			.append(" not taken within the wait); server CPU per lock:");
		for (int i = 0; i < cpuAtEnd.length; i++) {
			report.append(String.format(Locale.ROOT, " %s %.1f µs", this.processes.get(i).port(),
					(cpuAtEnd[i] - this.cpuAtStart[i]) * 1e6 / Math.max(1, this.locks.sum())));
		}
		for (CpuLimit limit : this.limits) {
			report.append(String.format(Locale.ROOT, "; throttled %d periods", limit.throttledPeriods()));
		}
		System.out.println(report);
		this.servers.close();
		this.limits.forEach(CpuLimit::close);
	}

	/** A thread's rotation over its own 64 keys. */
	@State(Scope.Thread)
	public static class Keys {

		private String[] keys;

		private int next;

		/**
		 * Names the thread's keys.
		 * @param thread the benchmark thread
		 */
		@Setup(Level.Trial)
		public void name(ThreadParams thread) {
			name(thread.getThreadIndex());
		}

		void name(int thread) {
			this.keys = new String[64];
			for (int i = 0; i < this.keys.length; i++) {
				this.keys[i] = "cluster-bench:" + thread + ":" + i;
			}
		}

		String next() {
			this.next = (this.next + 1) & 63;
			return this.keys[this.next];
		}

	}

	/**
	 * Lock and unlock a distinct key, 32 threads: enough callers to keep three shards busy (with
	 * 8, the callers' closed loop, not the shards, limits a CPU-capped cluster).
	 * @param keys the thread's keys
	 * @return whether the lock was taken
	 */
	@Benchmark
	@Threads(THREADS)
	public boolean lockUnlock(Keys keys) {
		boolean locked = this.locker.withLock(keys.next(), UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING);
		this.locks.increment();
		if (!locked) {
			this.failures.increment();
		}
		return locked;
	}

}
