package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome.Status;
import dev.redlock.test.LockHold;

/**
 * One contender of the chaos run: takes a lock of a random kind on random keys, holds it, and goes
 * again, as a chain of tasks on a shared scheduler (no thread sleeps while it holds a lock or
 * waits). Every acquisition that succeeds is recorded as a {@link LockHold}: its deadline at the
 * grant (the time plus {@code remaining()}), every deadline renewal or {@code extend} moved it to,
 * and the end of the work.
 */
final class ChaosContender {

	/** The kinds of lock, chosen at random per acquisition, each with its share in percent. */
	enum Kind {

		/** One key, no renewal, no fencing: the locking thread reads the answers itself. */
		PLAIN(30),

		/** One key with a fencing token. */
		FENCED(25),

		/** Renewed while held, for longer than its (short) lease. */
		RENEWED(5),

		/** Extended by hand a third into its (short) lease, then held on. */
		EXTEND(7),

		/** Two or three keys at once. */
		MULTI(15),

		/** Released before its minimum hold time, which keeps it. */
		HOLD_AT_LEAST(18);

		private final int share;

		Kind(int share) {
			this.share = share;
		}

		static Kind choose(Random random) {
			int roll = random.nextInt(100);
			for (Kind kind : values()) {
				roll -= kind.share;
				if (roll < 0) {
					return kind;
				}
			}
			return PLAIN;
		}

	}

	/** The lease of renewed and extended locks: short, so that renewal runs within a short hold. */
	private static final Duration SHORT_LEASE = Duration.ofMillis(600);

	/** Counters shared by every contender. */
	static final class Stats {

		final AtomicLong attempted = new AtomicLong();

		final AtomicLong attemptedHealthy = new AtomicLong();

		final AtomicLong succeeded = new AtomicLong();

		final AtomicLong succeededHealthy = new AtomicLong();

		final AtomicLong failed = new AtomicLong();

		final AtomicLong contended = new AtomicLong();

		/** Failures while a quorum was healthy for the client, with no node held by another. */
		final AtomicLong unavailableHealthy = new AtomicLong();

		final AtomicLong expired = new AtomicLong();

		final AtomicLongArray byKind = new AtomicLongArray(Kind.values().length);

		final ConcurrentLinkedQueue<LockHold> holds = new ConcurrentLinkedQueue<>();

		final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

		void error(String contender, Throwable ex) {
			this.errors.add(contender + ": " + ex);
		}

	}

	/**
	 * When the run ends: after {@code acquisitions} successful acquisitions or at the deadline.
	 * @param acquisitions the acquisitions
	 * @param deadline the {@link System#nanoTime()} to stop at
	 */
	record Run(long acquisitions, long deadline) {
	}

	private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

	private final int client;

	private final String name;

	private final Redlock engine;

	private final ChaosMonkey chaos;

	private final Run run;

	private final Stats stats;

	private final Random random;

	private final ScheduledExecutorService scheduler;

	private final CountDownLatch finished;

	private final Duration lease;

	private final Duration wait;

	private final int keys;

	private long sequence;

	ChaosContender(int client, String name, Redlock engine, ChaosMonkey chaos, Run run, Stats stats, Random random,
			ScheduledExecutorService scheduler, CountDownLatch finished, Duration lease, Duration wait, int keys) {
		this.client = client;
		this.name = name;
		this.engine = engine;
		this.chaos = chaos;
		this.run = run;
		this.stats = stats;
		this.random = random;
		this.scheduler = scheduler;
		this.finished = finished;
		this.lease = lease;
		this.wait = wait;
		this.keys = keys;
	}

	void next() {
		schedule(this::attempt, TimeUnit.MILLISECONDS.toNanos(this.random.nextInt(6)));
	}

	private void schedule(Runnable task, long delayNanos) {
		try {
			this.scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			this.finished.countDown();
		}
	}

	private void attempt() {
		if (this.stats.succeeded.get() >= this.run.acquisitions() || System.nanoTime() - this.run.deadline() >= 0) {
			this.finished.countDown();
			return;
		}
		try {
			Kind kind = Kind.choose(this.random);
			Duration lease = (kind == Kind.RENEWED || kind == Kind.EXTEND) ? SHORT_LEASE : this.lease;
			List<String> keys = keys((kind == Kind.MULTI) ? 2 + this.random.nextInt(2) : 1);
			long holdAtLeast = (kind == Kind.HOLD_AT_LEAST) ? TimeUnit.MILLISECONDS.toNanos(50 + this.random.nextInt(251))
					: 0;
			LockRequest request = LockRequest.of(keys, lease, this.wait)
				.withAutoRenew(kind == Kind.RENEWED)
				.withFencing(kind == Kind.FENCED)
				.withHoldAtLeast(Duration.ofNanos(holdAtLeast));
			long requested = System.nanoTime();
			boolean healthy = this.chaos.quorumHealthy(this.client, requested);
			this.stats.attempted.incrementAndGet();
			if (healthy) {
				this.stats.attemptedHealthy.incrementAndGet();
			}
			LockHold hold = new LockHold(this.name + "-" + (++this.sequence), kind.name(),
					request.keys().stream().map(this.engine::fullKey).toList(), requested, holdAtLeast);
			LockHandle handle;
			try {
				handle = this.engine.acquire(request);
			}
			catch (LockNotAcquiredException ex) {
				this.stats.failed.incrementAndGet();
				boolean contended = ex.getNodeOutcomes().stream()
					.anyMatch((outcome) -> outcome.status() == Status.HELD_BY_OTHER);
				if (contended) {
					this.stats.contended.incrementAndGet();
				}
				else if (healthy) {
					this.stats.unavailableHealthy.incrementAndGet();
				}
				next();
				return;
			}
			long start = System.nanoTime();
			hold.granted(start, deadline(handle, start), handle.fencingToken().orElse(-1));
			this.stats.holds.add(hold);
			this.stats.succeeded.incrementAndGet();
			this.stats.byKind.incrementAndGet(kind.ordinal());
			if (healthy) {
				this.stats.succeededHealthy.incrementAndGet();
			}
			long leaseNanos = lease.toNanos();
			switch (kind) {
				case RENEWED -> hold(hold, handle, start + leaseNanos + (long) (leaseNanos * 0.7 * this.random.nextDouble()));
				case EXTEND -> schedule(() -> extend(hold, handle), leaseNanos / 3);
				default -> {
					// mostly short holds; some long ones, so that faults strike while a lock is held
					long work = (this.random.nextInt(20) == 0) ? 100 + this.random.nextInt(601) : this.random.nextInt(11);
					schedule(() -> release(hold, handle), TimeUnit.MILLISECONDS.toNanos(work));
				}
			}
		}
		catch (RuntimeException | Error ex) {
			this.stats.error(this.name, ex);
			next();
		}
	}

	/** Holds on until {@code until}, recording every deadline renewal moves the lock to. */
	private void hold(LockHold hold, LockHandle handle, long until) {
		try {
			observe(hold, handle);
			long left = until - System.nanoTime();
			if (left > 0) {
				schedule(() -> hold(hold, handle, until), Math.min(left, SAMPLE_NANOS));
			}
			else {
				release(hold, handle);
			}
		}
		catch (RuntimeException | Error ex) {
			this.stats.error(this.name, ex);
			release(hold, handle);
		}
	}

	private void extend(LockHold hold, LockHandle handle) {
		try {
			handle.extend(SHORT_LEASE);
			observe(hold, handle);
			schedule(() -> release(hold, handle),
					TimeUnit.MILLISECONDS.toNanos(100 + this.random.nextInt((int) (SHORT_LEASE.toMillis() / 2))));
		}
		catch (RuntimeException | Error ex) {
			this.stats.error(this.name, ex);
			release(hold, handle);
		}
	}

	private static void observe(LockHold hold, LockHandle handle) {
		long at = System.nanoTime();
		hold.validUntil(at, deadline(handle, at));
	}

	private static long deadline(LockHandle handle, long at) {
		return LockHold.deadline(at, () -> handle.remaining().toNanos());
	}

	private void release(LockHold hold, LockHandle handle) {
		try {
			long end = System.nanoTime();
			if (!handle.isValid()) {
				this.stats.expired.incrementAndGet();
			}
			hold.ended(end);
			handle.close();
		}
		catch (RuntimeException | Error ex) {
			this.stats.error(this.name, ex);
		}
		next();
	}

	private List<String> keys(int count) {
		TreeSet<String> chosen = new TreeSet<>();
		while (chosen.size() < count) {
			chosen.add("chaos:" + this.random.nextInt(this.keys));
		}
		return new ArrayList<>(chosen);
	}

}
