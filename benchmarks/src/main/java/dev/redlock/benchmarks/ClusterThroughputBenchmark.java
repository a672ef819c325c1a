package dev.redlock.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;

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
import dev.redlock.test.RedisServers;

/**
 * Issue 9's scaling question: lock throughput on distinct keys (8 threads, 64 keys each, so keys
 * spread over hash slots) of our engine with one quorum member that is a single standalone master,
 * against one member that is a 3-shard Redis Cluster. The servers are started by the benchmark
 * itself; run it alone with
 * {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main ClusterThroughputBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class ClusterThroughputBenchmark {

	/** {@code master}: one standalone master; {@code cluster-3}: a Redis Cluster of 3 masters. */
	@Param({ "master", "cluster-3" })
	public String member;

	private AutoCloseable servers;

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
			uri = master.uris().get(0);
		}
		else {
			RedisClusterGroup cluster = RedisClusterGroup.start(3);
			this.servers = cluster;
			uri = cluster.uri();
		}
		this.locker = new TemplateLocker(List.of(uri));
	}

	/**
	 * Stops everything.
	 * @throws Exception if closing fails
	 */
	@TearDown(Level.Trial)
	public void stop() throws Exception {
		this.locker.close();
		this.servers.close();
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
			this.keys = new String[64];
			for (int i = 0; i < this.keys.length; i++) {
				this.keys[i] = "cluster-bench:" + thread.getThreadIndex() + ":" + i;
			}
		}

		String next() {
			this.next = (this.next + 1) & 63;
			return this.keys[this.next];
		}

	}

	/**
	 * Lock and unlock a distinct key, 8 threads.
	 * @param keys the thread's keys
	 * @return whether the lock was taken
	 */
	@Benchmark
	@Threads(8)
	public boolean lockUnlock(Keys keys) {
		return this.locker.withLock(keys.next(), UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING);
	}

}
