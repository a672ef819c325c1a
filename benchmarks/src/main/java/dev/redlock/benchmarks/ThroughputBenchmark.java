package dev.redlock.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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

/**
 * Throughput on distinct keys: 1, 2, 4 and 8 threads, each taking and releasing a lock on a key
 * of its own, through one shared client.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class ThroughputBenchmark {

	/** The implementation, an {@link Implementation#id()}. */
	@Param({ "raw-1", "raw-5", "raw-5-inline", "ours-1", "ours-3", "ours-5", "redisson-1", "redisson-redlock-3",
			"redisson-redlock-5", "spring-1" })
	public String impl;

	private Locker locker;

	private final AtomicLong failures = new AtomicLong();

	/**
	 * Connects the implementation to the first N fast nodes.
	 */
	@Setup(Level.Trial)
	public void connect() {
		Implementation implementation = Implementation.of(this.impl);
		BenchEnvironment environment = BenchEnvironment.shared();
		environment.flushAll();
		this.locker = implementation.create(environment.nodes(implementation.nodes()), false);
	}

	/**
	 * One thread.
	 * @param key the thread's key
	 * @return whether the lock was taken
	 */
	@Benchmark
	@Threads(1)
	public boolean threads1(ThreadKey key) {
		return count(this.locker.withLock(key.key, UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING));
	}

	/**
	 * Two threads.
	 * @param key the thread's key
	 * @return whether the lock was taken
	 */
	@Benchmark
	@Threads(2)
	public boolean threads2(ThreadKey key) {
		return count(this.locker.withLock(key.key, UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING));
	}

	/**
	 * Four threads.
	 * @param key the thread's key
	 * @return whether the lock was taken
	 */
	@Benchmark
	@Threads(4)
	public boolean threads4(ThreadKey key) {
		return count(this.locker.withLock(key.key, UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING));
	}

	/**
	 * Eight threads.
	 * @param key the thread's key
	 * @return whether the lock was taken
	 */
	@Benchmark
	@Threads(8)
	public boolean threads8(ThreadKey key) {
		return count(this.locker.withLock(key.key, UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING));
	}

	private boolean count(boolean locked) {
		if (!locked) {
			this.failures.incrementAndGet();
		}
		return locked;
	}

	/**
	 * Closes the implementation, and reports failed acquisitions (node errors or timeouts).
	 */
	@TearDown(Level.Trial)
	public void close() {
		if (this.failures.get() > 0) {
			System.out.println("WARNING: " + this.impl + " failed to take an uncontended lock " + this.failures.get()
					+ " times");
		}
		this.locker.close();
	}

}
