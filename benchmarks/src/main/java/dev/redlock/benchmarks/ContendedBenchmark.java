package dev.redlock.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.Control;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * One hot key contended by eight threads, each waiting up to {@link #WAIT} the way the
 * implementation waits (retry with a delay, pub/sub, spinning). The critical section is empty.
 * Reported per second: {@code acquired} (locks taken), {@code handoffs} (locks taken by another
 * thread than the previous holder) and {@code timeouts} (waits that ran out). Mutual exclusion is
 * checked in the JVM and any overlap is reported at the end of the trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(8)
@State(Scope.Benchmark)
public class ContendedBenchmark {

	/** How long a thread waits for the hot key. */
	static final Duration WAIT = Duration.ofSeconds(10);

	static final String HOT_KEY = "hot";

	/** The implementation, an {@link Implementation#id()}. */
	@Param({ "ours-1", "ours-1-apart", "ours-5", "ours-5-apart", "redisson-1", "redisson-redlock-5", "spring-1" })
	public String impl;

	private Locker locker;

	private final AtomicInteger lastOwner = new AtomicInteger(-1);

	private final AtomicInteger inside = new AtomicInteger();

	private final AtomicLong overlaps = new AtomicLong();

	/**
	 * Connects the implementation to the first N fast nodes, as a separate client per thread where
	 * the implementation would otherwise queue the threads in the JVM.
	 */
	@Setup(Level.Trial)
	public void connect() {
		Implementation implementation = Implementation.of(this.impl);
		BenchEnvironment environment = BenchEnvironment.shared();
		environment.flushAll();
		this.locker = implementation.create(environment.nodes(implementation.nodes()), true);
	}

	/**
	 * What one thread counted; JMH reports each field as a rate.
	 */
	@State(Scope.Thread)
	@AuxCounters(AuxCounters.Type.OPERATIONS)
	public static class Counters {

		/** Locks taken. */
		public long acquired;

		/** Locks taken from another thread. */
		public long handoffs;

		/** Waits that ran out. */
		public long timeouts;

		int thread;

		/**
		 * Clears the counters before each iteration.
		 * @param params the benchmark thread
		 */
		@Setup(Level.Iteration)
		public void clear(ThreadParams params) {
			this.thread = params.getThreadIndex();
			this.acquired = 0;
			this.handoffs = 0;
			this.timeouts = 0;
		}

	}

	/**
	 * Takes the hot key, notes who held it before, releases it. Counts only operations that end
	 * while JMH measures: with eight threads waiting for one lock, threads that already started an
	 * iteration run for a while before the last one joins, and those operations must not inflate
	 * the rates.
	 * @param counters this thread's counters
	 * @param control JMH's view of the iteration
	 * @return whether the lock was taken
	 */
	@Benchmark
	public boolean hotKey(Counters counters, Control control) {
		boolean[] handoff = new boolean[1];
		boolean locked = this.locker.withLock(HOT_KEY, WAIT, () -> {
			if (this.inside.incrementAndGet() != 1) {
				this.overlaps.incrementAndGet();
			}
			handoff[0] = this.lastOwner.getAndSet(counters.thread) != counters.thread;
			this.inside.decrementAndGet();
		});
		if (control.startMeasurement && !control.stopMeasurement) {
			if (locked) {
				counters.acquired++;
				if (handoff[0]) {
					counters.handoffs++;
				}
			}
			else {
				counters.timeouts++;
			}
		}
		return locked;
	}

	/**
	 * How often two threads were inside the critical section at once.
	 * @return the count since the trial began
	 */
	long overlaps() {
		return this.overlaps.get();
	}

	/**
	 * Closes the implementation, and reports any overlap of two holders.
	 */
	@TearDown(Level.Trial)
	public void close() {
		if (this.overlaps.get() > 0) {
			System.out.println("WARNING: " + this.impl + " let two threads hold the hot key at once "
					+ this.overlaps.get() + " times");
		}
		this.locker.close();
	}

}
