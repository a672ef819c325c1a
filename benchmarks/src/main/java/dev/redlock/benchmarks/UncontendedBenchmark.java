package dev.redlock.benchmarks;

import java.time.Duration;
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

/**
 * Uncontended latency: one thread takes and releases a lock nobody else wants, again and again.
 * Sample-time mode, so the results carry percentiles (p50, p99).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class UncontendedBenchmark {

	static final Duration WAIT = Duration.ofSeconds(1);

	static final Runnable NOTHING = () -> {
	};

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
	 * Takes and releases the lock on this thread's key.
	 * @param key the thread's key
	 * @return whether the lock was taken
	 */
	@Benchmark
	public boolean lockAndUnlock(ThreadKey key) {
		boolean locked = this.locker.withLock(key.key, WAIT, NOTHING);
		if (!locked) {
			this.failures.incrementAndGet();
		}
		return locked;
	}

	/**
	 * Closes the implementation, and reports failed acquisitions (there should be none).
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
