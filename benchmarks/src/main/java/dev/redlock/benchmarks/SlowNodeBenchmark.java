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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Uncontended latency on five nodes of which the fifth answers
 * {@link BenchEnvironment#SLOW_NODE_DELAY} later (through the fixture's {@code DelayProxy}). A quorum of
 * four fast nodes is always there, so an implementation that decides on the first majority
 * should not notice. {@link #allFast} measures the same on five fast nodes, right before, as the
 * baseline.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class SlowNodeBenchmark {

	/** The implementation, an {@link Implementation#id()} with five nodes. */
	@Param({ "raw-5", "ours-5", "redisson-redlock-5" })
	public String impl;

	private Locker locker;

	private final AtomicLong failures = new AtomicLong();

	/**
	 * Connects the implementation to four fast nodes and the slow one, or, for
	 * {@link #allFast}, to the five fast nodes.
	 * @param benchmark which benchmark method runs
	 */
	@Setup(Level.Trial)
	public void connect(BenchmarkParams benchmark) {
		connect(!benchmark.getBenchmark().endsWith(".allFast"));
	}

	void connect(boolean slow) {
		BenchEnvironment environment = BenchEnvironment.shared();
		environment.flushAll();
		this.locker = Implementation.of(this.impl)
			.create(slow ? environment.nodesWithOneSlow() : environment.nodes(BenchEnvironment.NODE_COUNT), false);
	}

	/**
	 * Takes and releases the lock on this thread's key, with the fifth node slow.
	 * @param key the thread's key
	 * @return whether the lock was taken
	 */
	@Benchmark
	public boolean oneSlowNode(ThreadKey key) {
		return count(this.locker.withLock(key.key, UncontendedBenchmark.WAIT, UncontendedBenchmark.NOTHING));
	}

	/**
	 * The same on five fast nodes: the baseline, measured next to the slow case so that both
	 * see the same machine.
	 * @param key the thread's key
	 * @return whether the lock was taken
	 */
	@Benchmark
	public boolean allFast(ThreadKey key) {
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
